"""A tenant's database: its schema on a shard and the login role that owns it, ensured, disabled,
dropped or inspected. Every step reads the catalog first, so a crashed reconcile completes when repeated."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import psycopg
from psycopg import sql

from tenantry_kernel.provisioning.database.base import (
    TenantDatabaseError,
    admin_connection,
    citus_version,
    fetch_one,
    role_exists,
)
from tenantry_kernel.provisioning.database.roles import confine_role, ensure_login_role, terminate_sessions
from tenantry_kernel.provisioning.naming import role_name, schema_name, validate_slug
from tenantry_kernel.provisioning.plans import Plan

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class TenantDatabase:
    slug: str
    schema: str
    role: str
    password: str = field(repr=False)
    host: str
    port: int
    dbname: str

    def dsn(self) -> str:
        """libpq URL for the tenant role (the tenant app's DATABASE_URL)."""
        if self.host.startswith("/"):
            host = quote(self.host, safe="")  # a Unix socket directory
        elif ":" in self.host:
            host = f"[{self.host}]"
        else:
            host = self.host
        user, password, dbname = (quote(part, safe="") for part in (self.role, self.password, self.dbname))
        return f"postgresql://{user}:{password}@{host}:{self.port}/{dbname}"


@dataclass(frozen=True)
class TenantDatabaseState:
    role_exists: bool
    role_can_login: bool
    schema_exists: bool
    schema_owner: str | None
    migrated: bool
    connection_limit: int | None  # None when the role is missing; -1 means unlimited


def _ensure_schema(conn: psycopg.Connection[Any], schema: str, owner: str) -> None:
    with conn.transaction():
        conn.execute(
            sql.SQL("CREATE SCHEMA IF NOT EXISTS {} AUTHORIZATION {}").format(
                sql.Identifier(schema), sql.Identifier(owner)
            )
        )
        # A schema left by an earlier owner (or created by hand) must still belong to the role.
        conn.execute(sql.SQL("ALTER SCHEMA {} OWNER TO {}").format(sql.Identifier(schema), sql.Identifier(owner)))
    with conn.transaction():
        conn.execute(
            sql.SQL("ALTER ROLE {} SET search_path = {}").format(sql.Identifier(owner), sql.Identifier(schema))
        )


def _distribute_schema_on_citus(conn: psycopg.Connection[Any], schema: str) -> None:
    """On a Citus coordinator, make the schema a distributed schema (Citus 12+), once.

    Its tables then live together on one worker and move with `citus_schema_move`.
    Plain PostgreSQL has no `citus` extension and skips this.
    """
    if citus_version(conn) is None:
        return
    with conn.transaction():
        distributed = fetch_one(
            conn,
            "SELECT EXISTS (SELECT 1 FROM pg_dist_schema WHERE schemaid = %s::regnamespace)",
            (schema,),
        )
        if not distributed:
            conn.execute("SELECT citus_schema_distribute(%s::regnamespace)", (schema,))


def ensure_tenant_database(admin_dsn: str, slug: str, plan: Plan, password: str) -> TenantDatabase:
    """Role, schema and grants of the tenant, created or brought back to the plan and password."""
    validate_slug(slug)
    schema, role = schema_name(slug), role_name(slug)
    with admin_connection(admin_dsn) as conn:
        ensure_login_role(conn, role, password, plan.db_connection_limit)
        _ensure_schema(conn, schema, role)
        confine_role(conn, role)
        _distribute_schema_on_citus(conn, schema)
        info = conn.info
        tenant = TenantDatabase(
            slug=slug,
            schema=schema,
            role=role,
            password=password,
            host=info.host,
            port=int(info.port),
            dbname=info.dbname,
        )
    logger.info("tenant database ensured", extra={"tenant": slug, "schema": schema, "plan": str(plan.name)})
    return tenant


def disable_tenant_database(admin_dsn: str, slug: str) -> None:
    """deletionPolicy Retain: the role can no longer log in, its schema and data stay."""
    role = role_name(validate_slug(slug))
    with admin_connection(admin_dsn) as conn:
        if not role_exists(conn, role):
            return
        with conn.transaction():
            conn.execute(sql.SQL("ALTER ROLE {} NOLOGIN").format(sql.Identifier(role)))
        terminate_sessions(conn, role)
    logger.info("tenant database disabled", extra={"tenant": slug})


def drop_tenant_database(admin_dsn: str, slug: str) -> None:
    """deletionPolicy Delete: schema, everything the role owns here, and the role; gone already is fine."""
    schema, role = schema_name(validate_slug(slug)), role_name(slug)
    with admin_connection(admin_dsn) as conn:
        had_role = role_exists(conn, role)
        if had_role:
            with conn.transaction():
                conn.execute(sql.SQL("ALTER ROLE {} NOLOGIN").format(sql.Identifier(role)))
            terminate_sessions(conn, role)
        with conn.transaction():
            conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema)))
        if had_role:
            with conn.transaction():
                conn.execute(sql.SQL("DROP OWNED BY {}").format(sql.Identifier(role)))
            try:
                with conn.transaction():
                    conn.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(role)))
            except psycopg.errors.DependentObjectsStillExist as error:
                raise TenantDatabaseError(
                    f"the role {role} still owns objects or holds privileges in another database of this "
                    f"server ({error.diag.message_detail}); run DROP OWNED BY {role} there, then delete again"
                ) from error
    logger.info("tenant database dropped", extra={"tenant": slug})


def inspect_tenant_database(admin_dsn: str, slug: str) -> TenantDatabaseState:
    """What the catalog holds for the tenant, to compare with what it should (drift)."""
    schema, role = schema_name(validate_slug(slug)), role_name(slug)
    with admin_connection(admin_dsn) as conn:
        row = conn.execute(
            """
            SELECT r.rolname IS NOT NULL, coalesce(r.rolcanlogin, false), n.oid IS NOT NULL, o.rolname,
                   EXISTS (SELECT 1 FROM pg_class c
                           WHERE c.relnamespace = n.oid AND c.relname = 'django_migrations' AND c.relkind = 'r'),
                   r.rolconnlimit
            FROM (SELECT 1) AS one
            LEFT JOIN pg_roles r ON r.rolname = %s
            LEFT JOIN pg_namespace n ON n.nspname = %s
            LEFT JOIN pg_roles o ON o.oid = n.nspowner
            """,
            (role, schema),
        ).fetchone()
    assert row is not None
    return TenantDatabaseState(
        role_exists=row[0],
        role_can_login=row[1],
        schema_exists=row[2],
        schema_owner=row[3],
        migrated=row[4],
        connection_limit=row[5],
    )
