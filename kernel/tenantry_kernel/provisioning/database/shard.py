"""The shard as a whole: closed to every role not granted (PUBLIC's default CONNECT, `public`),
and what it runs (server and Citus versions, how many tenants)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any, LiteralString, TypeVar

import psycopg
from psycopg import sql

from tenantry_kernel.provisioning.database.base import (
    ACL_LOCK,
    TenantDatabaseError,
    admin_connection,
    citus_version,
    fetch_one,
    role_exists,
)

logger = logging.getLogger(__name__)
_T = TypeVar("_T")

# The databases every PostgreSQL server has and PUBLIC may connect to until told otherwise
# (template0 accepts no connections at all).
SERVER_DATABASES = ("postgres", "template1")
_ACL_ATTEMPTS = 5


@dataclass(frozen=True)
class ShardInfo:
    server_version: str
    citus_version: str | None
    tenant_count: int


def _retry_concurrent_acl_update(step: Callable[[], _T]) -> _T:
    """Run `step` (one transaction) again when another session rewrote the same catalog row meanwhile."""
    for attempt in range(1, _ACL_ATTEMPTS):
        try:
            return step()
        except psycopg.errors.InternalError_ as error:
            if "tuple concurrently updated" not in str(error):
                raise
            logger.debug("catalog row updated concurrently; retrying", extra={"attempt": attempt})
    return step()


_PUBLIC_MAY_USE_DATABASE: LiteralString = (
    "SELECT has_database_privilege('public', %(db)s, 'CONNECT') "
    "OR has_database_privilege('public', %(db)s, 'TEMPORARY')"
)


def _restrict_database(conn: psycopg.Connection[Any], database: str, connect: Sequence[str]) -> bool:
    """One database's ACL: nothing for PUBLIC, CONNECT for `connect`; True when it had to change."""
    ident = sql.Identifier(database)
    changed = False
    refused = TenantDatabaseError(
        f"every role may still connect to database {database}: {conn.info.user} may not revoke that "
        f"(it neither owns the database nor is a superuser); run REVOKE ALL ON DATABASE {database} "
        "FROM PUBLIC as its owner, or give the admin connection a role that may"
    )
    with conn.transaction():
        conn.execute(ACL_LOCK)
        if conn.execute(_PUBLIC_MAY_USE_DATABASE, {"db": database}).fetchone() == (True,):
            try:
                conn.execute(sql.SQL("REVOKE ALL ON DATABASE {} FROM PUBLIC").format(ident))
            except psycopg.errors.InsufficientPrivilege as error:
                raise refused from error
            changed = True
        for role in connect:
            if not role_exists(conn, role):
                raise TenantDatabaseError(
                    f"cannot let role {role} connect to database {database}: the role does not exist; "
                    "create it first or leave it out"
                )
            if not fetch_one(conn, "SELECT has_database_privilege(%s, %s, 'CONNECT')", (role, database)):
                conn.execute(sql.SQL("GRANT CONNECT ON DATABASE {} TO {}").format(ident, sql.Identifier(role)))
                changed = True
        # A REVOKE by a role that holds some privilege there but no grant option only warns.
        if conn.execute(_PUBLIC_MAY_USE_DATABASE, {"db": database}).fetchone() == (True,):
            raise refused
    return changed


def restrict_database_access(admin_dsn: str, databases: Iterable[str], *, connect: Iterable[str] = ()) -> list[str]:
    """Only the owner, superusers and the `connect` roles may connect to each of `databases`.

    PostgreSQL lets PUBLIC (every role, a tenant's too) connect to a new database and read its
    catalogs: every schema, table and role name there. This revokes that, on the admin DSN's
    server; databases it does not have are skipped. Returns those it found. Idempotent: the
    ACL is read first and written only when it differs.
    """
    allowed = sorted(set(connect))
    found: list[str] = []
    with admin_connection(admin_dsn) as conn:
        for database in dict.fromkeys(databases):
            if not fetch_one(conn, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = %s)", (database,)):
                continue
            if _retry_concurrent_acl_update(partial(_restrict_database, conn, database, allowed)):
                logger.info("database closed to roles not granted", extra={"database": database, "connect": allowed})
            found.append(database)
    return found


def _close_public_schema(conn: psycopg.Connection[Any]) -> None:
    with conn.transaction():
        conn.execute(ACL_LOCK)
        public_may_use_schema = fetch_one(
            conn,
            """
            SELECT has_schema_privilege('public', n.oid, 'USAGE') OR has_schema_privilege('public', n.oid, 'CREATE')
            FROM pg_namespace n WHERE n.nspname = 'public'
            """,
        )
        if public_may_use_schema:
            conn.execute("REVOKE ALL ON SCHEMA public FROM PUBLIC")


def secure_shard(admin_dsn: str, *, other_databases: Iterable[str] = ()) -> list[str]:
    """Close the shard's server to every role not granted: what its tenant roles must not reach.

    The shard database (CONNECT is granted per tenant) and its `public` schema (the routing
    table; tenant roles need nothing there), the server's own databases (SERVER_DATABASES)
    and `other_databases` (the platform's, where it shares the server). Returns the
    databases closed; idempotent and cheap when nothing changed.
    """
    with admin_connection(admin_dsn) as conn:
        shard = conn.info.dbname
        _retry_concurrent_acl_update(lambda: _close_public_schema(conn))
    return restrict_database_access(admin_dsn, [shard, *SERVER_DATABASES, *other_databases])


def shard_info(admin_dsn: str) -> ShardInfo:
    with admin_connection(admin_dsn) as conn:
        version = str(fetch_one(conn, "SHOW server_version"))
        citus = citus_version(conn)
        # '_' is a LIKE wildcard: escape it, or 'tenant_template' would count as a tenant schema.
        count = fetch_one(
            conn,
            r"""
            SELECT count(*) FROM pg_namespace n JOIN pg_roles r ON r.oid = n.nspowner
            WHERE n.nspname LIKE 't\_%' AND r.rolname LIKE 'tenant\_%'
            """,
        )
    return ShardInfo(server_version=version, citus_version=citus, tenant_count=int(count))
