"""A tenant's database: its schema on a shard, the login role that owns it, and its migrations.

Every step is idempotent and runs in its own transaction after reading the catalog, so a
reconcile that crashed anywhere (role created, schema not yet) completes when repeated.
New schemas are migrated either by the tenant app's `manage.py migrate` (ManagePyMigrationRunner)
or, much faster, by cloning a template schema migrated once per shard (TemplateCloneRunner).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import os
import re
import secrets
import subprocess
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any, LiteralString, Protocol, TypeVar
from urllib.parse import quote

import psycopg
from psycopg import sql

from tenantry_kernel.provisioning.naming import role_name, schema_name, validate_slug
from tenantry_kernel.provisioning.plans import Plan

logger = logging.getLogger(__name__)
_T = TypeVar("_T")

TEMPLATE_SCHEMA = "tenant_template"
TEMPLATE_ROLE = "tenantry_template"


def template_role_for(admin_dsn: str) -> str:
    """The template role of one shard database: roles are global to a server, and two shard databases on
    one server (or two test runs) must not reset each other's template role's password."""
    from psycopg.conninfo import conninfo_to_dict

    dbname = str(conninfo_to_dict(admin_dsn).get("dbname") or "postgres")
    readable = re.sub(r"[^a-z0-9_]", "_", dbname.lower())[:30]
    digest = hashlib.sha256(dbname.encode()).hexdigest()[:8]
    return f"{TEMPLATE_ROLE}_{readable}_{digest}"


# pg_advisory_lock key guarding the template schema: cloning takes it shared, a rebuild exclusive.
_TEMPLATE_LOCK_KEY = 0x7E4A_7E4A
_SESSION_TERMINATION_TIMEOUT_MS = 5000
_SCRAM_ITERATIONS = 4096
# The databases every PostgreSQL server has and PUBLIC may connect to until told otherwise
# (template0 accepts no connections at all).
SERVER_DATABASES = ("postgres", "template1")
# GRANT/REVOKE rewrite one catalog row (the ACL of a database, of `public`): two sessions doing
# it at once fail with "tuple concurrently updated" unless serialized. An advisory lock does
# that within one database; sessions in two databases of a server (two shards) are retried.
_ACL_LOCK: LiteralString = "SELECT pg_advisory_xact_lock(hashtext('tenantry:shard-acl'))"
_ACL_ATTEMPTS = 5


class TenantDatabaseError(RuntimeError):
    """A provisioning step failed; the message says what and what to do."""


class MigrationFailed(TenantDatabaseError):
    """The tenant app's migrations failed; the message ends with the command's stderr."""


class TemplateNotClonable(TenantDatabaseError):
    """The template schema holds objects the SQL clone does not recreate."""


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


@dataclass(frozen=True)
class ShardInfo:
    server_version: str
    citus_version: str | None
    tenant_count: int


class MigrationRunner(Protocol):
    def __call__(self, tenant: TenantDatabase) -> None: ...


# -- connections ----------------------------------------------------------------------------


@contextmanager
def _admin(admin_dsn: str) -> Iterator[psycopg.Connection[Any]]:
    """Autocommit connection: each step opens its own `transaction()`."""
    with psycopg.connect(admin_dsn, autocommit=True) as conn:
        yield conn


def _fetch_one(conn: psycopg.Connection[Any], query: LiteralString, params: Sequence[Any] | None = None) -> Any:
    row = conn.execute(query, params).fetchone()
    return None if row is None else row[0]


def _role_exists(conn: psycopg.Connection[Any], role: str) -> bool:
    return bool(_fetch_one(conn, "SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = %s)", (role,)))


# -- passwords ------------------------------------------------------------------------------


def _password_literal(password: str) -> sql.Composable:
    """The password as PostgreSQL stores it, so no plain text reaches the server's logs.

    PostgreSQL accepts a SCRAM-SHA-256 verifier in place of a password (RFC 5803 format).
    SASLprep leaves ASCII unchanged; other passwords go as they are and the server prepares them.
    """
    if not password:
        raise ValueError("the tenant's database password must not be empty")
    if not password.isascii() or not password.isprintable():
        return sql.Literal(password)
    salt = secrets.token_bytes(16)
    salted = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, _SCRAM_ITERATIONS)
    client_key = hmac.digest(salted, b"Client Key", "sha256")
    stored_key = hashlib.sha256(client_key).digest()
    server_key = hmac.digest(salted, b"Server Key", "sha256")

    def b64(data: bytes) -> str:
        return base64.b64encode(data).decode()

    return sql.Literal(f"SCRAM-SHA-256${_SCRAM_ITERATIONS}:{b64(salt)}${b64(stored_key)}:{b64(server_key)}")


# -- provisioning steps ---------------------------------------------------------------------

_ROLE_ATTRIBUTES = sql.SQL("NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT NOREPLICATION NOBYPASSRLS")


def _ensure_login_role(conn: psycopg.Connection[Any], role: str, password: str, connection_limit: int) -> None:
    """Create the role if missing, then (re)set everything: repeats update plan and password."""
    ident = sql.Identifier(role)
    if not _role_exists(conn, role):
        try:
            with conn.transaction():
                conn.execute(sql.SQL("CREATE ROLE {} NOLOGIN {}").format(ident, _ROLE_ATTRIBUTES))
        except psycopg.errors.DuplicateObject:
            pass  # a concurrent reconcile created it first
    with conn.transaction():
        conn.execute(
            sql.SQL("ALTER ROLE {} WITH LOGIN {} CONNECTION LIMIT {} PASSWORD {}").format(
                ident, _ROLE_ATTRIBUTES, sql.Literal(connection_limit), _password_literal(password)
            )
        )


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


def _confine_role(conn: psycopg.Connection[Any], role: str) -> None:
    """The role may connect to this database and use its own schema, nothing else here."""
    ident = sql.Identifier(role)
    database = sql.Identifier(conn.info.dbname)
    with conn.transaction():
        conn.execute(_ACL_LOCK)  # two tenants provisioned at once grant on the same rows
        conn.execute(sql.SQL("REVOKE ALL ON SCHEMA public FROM {}").format(ident))
        # PUBLIC's defaults (CONNECT and TEMPORARY on the database, USAGE on `public`) would
        # hand every login role of the server what only granted roles should have.
        conn.execute(sql.SQL("REVOKE ALL ON SCHEMA public FROM PUBLIC"))
        conn.execute(sql.SQL("REVOKE ALL ON DATABASE {} FROM PUBLIC").format(database))
        conn.execute(sql.SQL("GRANT CONNECT ON DATABASE {} TO {}").format(database, ident))


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
        conn.execute(_ACL_LOCK)
        if conn.execute(_PUBLIC_MAY_USE_DATABASE, {"db": database}).fetchone() == (True,):
            try:
                conn.execute(sql.SQL("REVOKE ALL ON DATABASE {} FROM PUBLIC").format(ident))
            except psycopg.errors.InsufficientPrivilege as error:
                raise refused from error
            changed = True
        for role in connect:
            if not _role_exists(conn, role):
                raise TenantDatabaseError(
                    f"cannot let role {role} connect to database {database}: the role does not exist; "
                    "create it first or leave it out"
                )
            if not _fetch_one(conn, "SELECT has_database_privilege(%s, %s, 'CONNECT')", (role, database)):
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
    with _admin(admin_dsn) as conn:
        for database in dict.fromkeys(databases):
            if not _fetch_one(conn, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = %s)", (database,)):
                continue
            if _retry_concurrent_acl_update(partial(_restrict_database, conn, database, allowed)):
                logger.info("database closed to roles not granted", extra={"database": database, "connect": allowed})
            found.append(database)
    return found


def _close_public_schema(conn: psycopg.Connection[Any]) -> None:
    with conn.transaction():
        conn.execute(_ACL_LOCK)
        public_may_use_schema = _fetch_one(
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
    with _admin(admin_dsn) as conn:
        shard = conn.info.dbname
        _retry_concurrent_acl_update(lambda: _close_public_schema(conn))
    return restrict_database_access(admin_dsn, [shard, *SERVER_DATABASES, *other_databases])


def _citus_version(conn: psycopg.Connection[Any]) -> str | None:
    version = _fetch_one(conn, "SELECT extversion FROM pg_extension WHERE extname = 'citus'")
    return None if version is None else str(version)


def _distribute_schema_on_citus(conn: psycopg.Connection[Any], schema: str) -> None:
    """On a Citus coordinator, make the schema a distributed schema (Citus 12+), once.

    Its tables then live together on one worker and move with `citus_schema_move`.
    Plain PostgreSQL has no `citus` extension and skips this.
    """
    if _citus_version(conn) is None:
        return
    with conn.transaction():
        distributed = _fetch_one(
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
    with _admin(admin_dsn) as conn:
        _ensure_login_role(conn, role, password, plan.db_connection_limit)
        _ensure_schema(conn, schema, role)
        _confine_role(conn, role)
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


def migrate_tenant_schema(tenant: TenantDatabase, runner: MigrationRunner) -> None:
    runner(tenant)
    logger.info("tenant schema migrated", extra={"tenant": tenant.slug, "schema": tenant.schema})


def _terminate_sessions(conn: psycopg.Connection[Any], role: str) -> None:
    conn.execute(
        "SELECT pg_terminate_backend(pid, %s) FROM pg_stat_activity WHERE usename = %s AND pid <> pg_backend_pid()",
        (_SESSION_TERMINATION_TIMEOUT_MS, role),
    )


def grant_router_role(admin_dsn: str, slug: str, router_role: str) -> None:
    """Let the shard's shared tenant-app role act as the tenant (`SET ROLE`), nothing more.

    The router role should be NOINHERIT and own nothing: on its own it reads no tenant's
    schema, and per request it becomes exactly one tenant. It may also look into the shard's
    `public` schema, where the routing table is. Repeating is harmless.
    """
    role = role_name(validate_slug(slug))
    with _admin(admin_dsn) as conn, conn.transaction():
        conn.execute(_ACL_LOCK)
        conn.execute(sql.SQL("GRANT {} TO {}").format(sql.Identifier(role), sql.Identifier(router_role)))
        # PUBLIC may not use `public` on a shard: the router looks up routes there (reading the
        # routing table is granted on the table itself).
        conn.execute(sql.SQL("GRANT USAGE ON SCHEMA public TO {}").format(sql.Identifier(router_role)))


def disable_tenant_database(admin_dsn: str, slug: str) -> None:
    """deletionPolicy Retain: the role can no longer log in, its schema and data stay."""
    role = role_name(validate_slug(slug))
    with _admin(admin_dsn) as conn:
        if not _role_exists(conn, role):
            return
        with conn.transaction():
            conn.execute(sql.SQL("ALTER ROLE {} NOLOGIN").format(sql.Identifier(role)))
        _terminate_sessions(conn, role)
    logger.info("tenant database disabled", extra={"tenant": slug})


def drop_tenant_database(admin_dsn: str, slug: str) -> None:
    """deletionPolicy Delete: schema, everything the role owns here, and the role; gone already is fine."""
    schema, role = schema_name(validate_slug(slug)), role_name(slug)
    with _admin(admin_dsn) as conn:
        role_exists = _role_exists(conn, role)
        if role_exists:
            with conn.transaction():
                conn.execute(sql.SQL("ALTER ROLE {} NOLOGIN").format(sql.Identifier(role)))
            _terminate_sessions(conn, role)
        with conn.transaction():
            conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema)))
        if role_exists:
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
    with _admin(admin_dsn) as conn:
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


def shard_info(admin_dsn: str) -> ShardInfo:
    with _admin(admin_dsn) as conn:
        version = str(_fetch_one(conn, "SHOW server_version"))
        citus = _citus_version(conn)
        # '_' is a LIKE wildcard: escape it, or 'tenant_template' would count as a tenant schema.
        count = _fetch_one(
            conn,
            r"""
            SELECT count(*) FROM pg_namespace n JOIN pg_roles r ON r.oid = n.nspowner
            WHERE n.nspname LIKE 't\_%' AND r.rolname LIKE 'tenant\_%'
            """,
        )
    return ShardInfo(server_version=version, citus_version=citus, tenant_count=int(count))


# -- migration runners ----------------------------------------------------------------------


class ManagePyMigrationRunner:
    """Runs the tenant app's `manage.py migrate` as the tenant role (local mode, template builds).

    A subprocess, since the kernel never imports the tenant app. The role's search_path puts
    Django's tables in the tenant schema.
    """

    def __init__(
        self,
        manage_py: Path,
        settings_module: str = "tenant_app.settings.local",
        *,
        python: str = sys.executable,
        timeout: float = 600.0,
    ) -> None:
        self.manage_py = Path(manage_py)
        self.settings_module = settings_module
        self.python = python
        self.timeout = timeout

    def __call__(self, tenant: TenantDatabase) -> None:
        self.run(tenant, "migrate", "--noinput")

    def run(self, tenant: TenantDatabase, *args: str) -> subprocess.CompletedProcess[str]:
        """`manage.py <args>` connected as the tenant; raises MigrationFailed on a non-zero exit."""
        try:
            completed = self._python([str(self.manage_py), *args], DATABASE_URL=tenant.dsn())
        except subprocess.TimeoutExpired as error:
            raise MigrationFailed(
                f"`manage.py {' '.join(args)}` for tenant {tenant.slug} did not finish within {self.timeout:.0f} s; "
                "look for a lock held on its schema (pg_stat_activity) and retry"
            ) from error
        if completed.returncode != 0:
            tail = completed.stderr.strip()[-2000:].replace(tenant.password, "***")
            raise MigrationFailed(
                f"`manage.py {' '.join(args)}` for tenant {tenant.slug} exited with {completed.returncode}; "
                f"fix the migration and reconcile again. stderr ends with:\n{tail}"
            )
        return completed

    def _python(self, argv: list[str], **env: str) -> subprocess.CompletedProcess[str]:
        """Python with the tenant app's settings, in the tenant app's folder."""
        return subprocess.run(  # noqa: S603 - fixed argv, no shell
            [self.python, *argv],
            cwd=self.manage_py.parent,
            env={**os.environ, "DJANGO_SETTINGS_MODULE": self.settings_module, **env},
            capture_output=True,
            text=True,
            timeout=self.timeout,
            check=False,
        )

    def migration_fingerprint(self) -> str:
        """Digest of the migrations on disk (names and file contents) and of the Django version.

        Computed in a subprocess with the tenant app's settings; no database connection needed.
        """
        script = (
            "import django, hashlib, inspect, json\n"
            "django.setup()\n"
            "from django.db.migrations.loader import MigrationLoader\n"
            "loader = MigrationLoader(None, ignore_no_migrations=True)\n"
            "rows = []\n"
            "for (app, name), migration in sorted(loader.disk_migrations.items()):\n"
            "    source = inspect.getsourcefile(type(migration))\n"
            "    digest = hashlib.sha256(open(source, 'rb').read()).hexdigest() if source else ''\n"
            "    rows.append([app, name, digest])\n"
            "print(json.dumps({'django': django.get_version(), 'migrations': rows}))\n"
        )
        completed = self._python(["-c", script])
        if completed.returncode != 0:
            raise MigrationFailed(
                f"listing the tenant app's migrations failed ({self.manage_py}); stderr ends with:\n"
                f"{completed.stderr.strip()[-2000:]}"
            )
        listing = json.loads(completed.stdout.strip().splitlines()[-1])
        return hashlib.sha256(json.dumps(listing, sort_keys=True).encode()).hexdigest()


class TemplateCloneRunner:
    """Migrates a new tenant schema by cloning `tenant_template`, migrated once per shard.

    The template is rebuilt (dropped and migrated afresh by `migrate`, connected as the
    template role) whenever the fingerprint of the tenant app's migrations, kept as the
    schema's comment, differs from the one on disk: add or edit a migration and the next
    clone rebuilds it; `ensure_template()` does it ahead of time (e.g. at deploy). The clone
    is one transaction, made as the tenant role, so it owns every object. A schema that
    already holds tables (a later reconcile, an app upgrade) gets the real migrate instead.
    """

    def __init__(
        self,
        admin_dsn: str,
        migrate: ManagePyMigrationRunner,
        *,
        template_schema: str = TEMPLATE_SCHEMA,
        template_role: str = "",
    ) -> None:
        self.admin_dsn = admin_dsn
        self.migrate = migrate
        self.template_schema = template_schema
        self.template_role = template_role or template_role_for(admin_dsn)
        self._fingerprint: str | None = None

    def fingerprint(self) -> str:
        # Migrations cannot change under a running process: list them once.
        if self._fingerprint is None:
            self._fingerprint = self.migrate.migration_fingerprint()
        return self._fingerprint

    def __call__(self, tenant: TenantDatabase) -> None:
        with _admin(self.admin_dsn) as conn:
            if _has_relations(conn, tenant.schema):
                fresh = False
            else:
                self._ensure_template(conn)
                fresh = _clone_schema(conn, self.template_schema, tenant.schema, tenant.role, self.fingerprint())
        if not fresh:
            self.migrate(tenant)

    def ensure_template(self) -> None:
        with _admin(self.admin_dsn) as conn:
            self._ensure_template(conn)

    def _template_fingerprint(self, conn: psycopg.Connection[Any]) -> str | None:
        comment = _fetch_one(
            conn, "SELECT obj_description(oid, 'pg_namespace') FROM pg_namespace WHERE nspname = %s",
            (self.template_schema,),
        )  # fmt: skip
        return None if comment is None else str(comment)

    def _ensure_template(self, conn: psycopg.Connection[Any]) -> None:
        expected = self.fingerprint()
        if self._template_fingerprint(conn) == expected:
            return
        conn.execute("SELECT pg_advisory_lock(%s)", (_TEMPLATE_LOCK_KEY,))
        try:
            if self._template_fingerprint(conn) != expected:  # another process may have just rebuilt it
                self._rebuild_template(conn, expected)
        finally:
            conn.execute("SELECT pg_advisory_unlock(%s)", (_TEMPLATE_LOCK_KEY,))

    def _rebuild_template(self, conn: psycopg.Connection[Any], fingerprint: str) -> None:
        logger.info("rebuilding the tenant template schema", extra={"schema": self.template_schema})
        role, schema = sql.Identifier(self.template_role), sql.Identifier(self.template_schema)
        # A fresh password for each build, and LOGIN only while migrating.
        password = secrets.token_urlsafe(24)
        _ensure_login_role(conn, self.template_role, password, connection_limit=3)
        try:
            with conn.transaction():
                conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(schema))
                conn.execute(sql.SQL("CREATE SCHEMA {} AUTHORIZATION {}").format(schema, role))
            with conn.transaction():
                conn.execute(sql.SQL("ALTER ROLE {} SET search_path = {}").format(role, schema))
            _confine_role(conn, self.template_role)
            template = TenantDatabase(
                slug="template",
                schema=self.template_schema,
                role=self.template_role,
                password=password,
                host=conn.info.host,
                port=int(conn.info.port),
                dbname=conn.info.dbname,
            )
            self.migrate(template)
            with conn.transaction():
                conn.execute(sql.SQL("COMMENT ON SCHEMA {} IS {}").format(schema, sql.Literal(fingerprint)))
        finally:
            with conn.transaction():
                conn.execute(sql.SQL("ALTER ROLE {} NOLOGIN").format(role))


def _has_relations(conn: psycopg.Connection[Any], schema: str) -> bool:
    return bool(
        _fetch_one(
            conn,
            "SELECT EXISTS (SELECT 1 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = %s)",
            (schema,),
        )
    )


# -- schema clone ---------------------------------------------------------------------------
# Definitions are read with search_path set to the template, so pg_get_*def, format_type and
# regclass constants leave the template's own objects unqualified; replayed with search_path
# set to the tenant schema, they name the tenant's objects.

_UNSUPPORTED_OBJECTS = """
SELECT 'relation ' || relname || ' (relkind ' || relkind::text || ')' FROM pg_class
 WHERE relnamespace = %(nsp)s AND relkind NOT IN ('r', 'S', 'i')
UNION ALL SELECT 'function ' || proname FROM pg_proc WHERE pronamespace = %(nsp)s
UNION ALL SELECT 'type ' || typname FROM pg_type WHERE typnamespace = %(nsp)s AND typtype IN ('e', 'd', 'r', 'm', 'p')
UNION ALL SELECT 'trigger ' || tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
 WHERE c.relnamespace = %(nsp)s AND NOT t.tgisinternal
UNION ALL SELECT 'rule ' || rulename FROM pg_rewrite w JOIN pg_class c ON c.oid = w.ev_class
 WHERE c.relnamespace = %(nsp)s
UNION ALL SELECT 'policy ' || polname FROM pg_policy p JOIN pg_class c ON c.oid = p.polrelid
 WHERE c.relnamespace = %(nsp)s
UNION ALL SELECT 'constraint trigger ' || conname FROM pg_constraint WHERE connamespace = %(nsp)s AND contype = 't'
"""

_TABLES = """
SELECT c.oid, c.relname, c.relpersistence = 'u', c.reloptions, obj_description(c.oid, 'pg_class')
FROM pg_class c WHERE c.relnamespace = %(nsp)s AND c.relkind = 'r' ORDER BY c.relname
"""

_COLUMNS = """
SELECT a.attrelid, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull,
       CASE WHEN a.attgenerated = '' THEN pg_get_expr(d.adbin, d.adrelid) END,
       CASE WHEN a.attgenerated <> '' THEN pg_get_expr(d.adbin, d.adrelid) END,
       a.attidentity,
       CASE WHEN a.attcollation <> t.typcollation THEN format('%%I.%%I', cn.nspname, co.collname) END,
       s.relname, q.seqstart, q.seqincrement, q.seqmin, q.seqmax, q.seqcache, q.seqcycle,
       col_description(a.attrelid, a.attnum)
FROM pg_attribute a
JOIN pg_class c ON c.oid = a.attrelid
JOIN pg_type t ON t.oid = a.atttypid
LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
LEFT JOIN pg_collation co ON co.oid = a.attcollation
LEFT JOIN pg_namespace cn ON cn.oid = co.collnamespace
LEFT JOIN pg_depend dep ON a.attidentity <> '' AND dep.refclassid = 'pg_class'::regclass
     AND dep.refobjid = a.attrelid AND dep.refobjsubid = a.attnum AND dep.classid = 'pg_class'::regclass
     AND dep.deptype = 'i'
LEFT JOIN pg_class s ON s.oid = dep.objid AND s.relkind = 'S'
LEFT JOIN pg_sequence q ON q.seqrelid = s.oid
WHERE c.relnamespace = %(nsp)s AND c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped
  AND (a.attidentity = '' OR s.oid IS NOT NULL)
ORDER BY a.attrelid, a.attnum
"""

# Sequences that are not an identity column's (serial columns, CREATE SEQUENCE in a migration).
_SEQUENCES = """
SELECT s.relname, format_type(q.seqtypid, NULL), q.seqstart, q.seqincrement, q.seqmin, q.seqmax, q.seqcache,
       q.seqcycle, owner_table.relname, owner_column.attname
FROM pg_class s JOIN pg_sequence q ON q.seqrelid = s.oid
LEFT JOIN pg_depend dep ON dep.classid = 'pg_class'::regclass AND dep.objid = s.oid
     AND dep.refclassid = 'pg_class'::regclass AND dep.deptype IN ('a', 'i')
LEFT JOIN pg_class owner_table ON owner_table.oid = dep.refobjid
LEFT JOIN pg_attribute owner_column ON owner_column.attrelid = dep.refobjid AND owner_column.attnum = dep.refobjsubid
WHERE s.relnamespace = %(nsp)s AND s.relkind = 'S' AND (dep.deptype IS NULL OR dep.deptype = 'a')
ORDER BY s.relname
"""

_CONSTRAINTS = """
SELECT c.relname, k.conname, pg_get_constraintdef(k.oid)
FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid
WHERE c.relnamespace = %(nsp)s AND k.contype IN ('c', 'p', 'u', 'x', 'f')
ORDER BY k.contype = 'f', c.relname, k.conname
"""

# pg_get_indexdef always qualifies the table: the caller swaps the schema.
_INDEXES = """
SELECT pg_get_indexdef(i.indexrelid), quote_ident(c.relname), quote_ident(n.nspname)
FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relnamespace = %(nsp)s AND NOT EXISTS (
    SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid AND k.conrelid = i.indrelid
    AND k.contype IN ('p', 'u', 'x'))
ORDER BY 1
"""


def _sequence_options(start: int, increment: int, minimum: int, maximum: int, cache: int, cycle: bool) -> sql.SQL:
    return sql.SQL(
        f"START WITH {int(start)} INCREMENT BY {int(increment)} MINVALUE {int(minimum)} MAXVALUE {int(maximum)} "
        f"CACHE {int(cache)} {'CYCLE' if cycle else 'NO CYCLE'}"
    )


def _clone_schema(conn: psycopg.Connection[Any], template: str, target: str, owner: str, fingerprint: str) -> bool:
    """Recreate the template's tables, sequences, constraints, indexes and rows in `target`.

    One transaction: a crash leaves the target empty and the next reconcile clones again.
    Returns False (and changes nothing) when the target already holds relations.
    """
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock_shared(%s)", (_TEMPLATE_LOCK_KEY,))
        nsp = _fetch_one(
            conn,
            "SELECT oid FROM pg_namespace WHERE nspname = %s AND obj_description(oid, 'pg_namespace') = %s",
            (template, fingerprint),
        )
        if nsp is None:
            raise TenantDatabaseError(
                f"the template schema {template} is missing or was rebuilt for other migrations meanwhile; retry"
            )
        # Two concurrent clones of one tenant serialise here; the second then finds tables.
        conn.execute("SELECT pg_advisory_xact_lock(%s, hashtext(%s))", (_TEMPLATE_LOCK_KEY, target))
        if _has_relations(conn, target):
            return False
        params = {"nsp": nsp}
        unsupported = [row[0] for row in conn.execute(_UNSUPPORTED_OBJECTS, params)]
        if unsupported:
            raise TemplateNotClonable(
                f"the template schema {template} holds objects the clone does not recreate: "
                f"{', '.join(unsupported)}; use ManagePyMigrationRunner, or teach _clone_schema about them"
            )
        conn.execute(sql.SQL("SET LOCAL search_path = {}").format(sql.Identifier(template)))
        tables = conn.execute(_TABLES, params).fetchall()
        columns = conn.execute(_COLUMNS, params).fetchall()
        sequences = conn.execute(_SEQUENCES, params).fetchall()
        constraints = conn.execute(_CONSTRAINTS, params).fetchall()
        indexes = [
            _index_in_schema(definition, table, schema, sql.Identifier(target).as_string(conn))
            for definition, table, schema in conn.execute(_INDEXES, params)
        ]
        sequence_names = [row[0] for row in sequences] + [row[8] for row in columns if row[8] is not None]
        sequence_states = {
            name: conn.execute(
                sql.SQL("SELECT last_value, is_called FROM {}").format(sql.Identifier(template, name))
            ).fetchone()
            for name in sequence_names
        }

        conn.execute(sql.SQL("SET LOCAL search_path = {}").format(sql.Identifier(target)))
        conn.execute(sql.SQL("SET LOCAL ROLE {}").format(sql.Identifier(owner)))
        for name, type_name, start, increment, minimum, maximum, cache, cycle, _table, _column in sequences:
            conn.execute(
                sql.SQL("CREATE SEQUENCE {} AS {} {}").format(
                    sql.Identifier(name),
                    sql.SQL(type_name),
                    _sequence_options(start, increment, minimum, maximum, cache, cycle),
                )
            )
        copied_columns: dict[str, list[str]] = {}
        for oid, table, unlogged, reloptions, comment in tables:
            definitions: list[sql.Composable] = []
            for column in (c for c in columns if c[0] == oid):
                definitions.append(_column_definition(column))
                if not column[5]:  # generated columns are computed, not copied
                    copied_columns.setdefault(table, []).append(column[1])
            conn.execute(
                sql.SQL("CREATE {}TABLE {} ({}){}").format(
                    sql.SQL("UNLOGGED " if unlogged else ""),
                    sql.Identifier(table),
                    sql.SQL(", ").join(definitions),
                    sql.SQL(f" WITH ({', '.join(reloptions)})" if reloptions else ""),
                )
            )
            if comment is not None:
                conn.execute(sql.SQL("COMMENT ON TABLE {} IS {}").format(sql.Identifier(table), sql.Literal(comment)))
        for column in columns:
            if column[15] is not None:
                table = next(t[1] for t in tables if t[0] == column[0])
                conn.execute(
                    sql.SQL("COMMENT ON COLUMN {} IS {}").format(
                        sql.Identifier(table, column[1]), sql.Literal(column[15])
                    )
                )

        # Rows before constraints and indexes: a bulk load needs no particular table order.
        conn.execute("RESET ROLE")  # the tenant role has no access to the template
        for table, names in copied_columns.items():
            column_list = sql.SQL(", ").join(sql.Identifier(name) for name in names)
            conn.execute(
                sql.SQL("INSERT INTO {} ({}) OVERRIDING SYSTEM VALUE SELECT {} FROM {}").format(
                    sql.Identifier(target, table), column_list, column_list, sql.Identifier(template, table)
                )
            )
        for name, state in sequence_states.items():
            assert state is not None
            conn.execute(
                "SELECT setval(%s::regclass, %s, %s)",
                (sql.Identifier(target, name).as_string(conn), state[0], state[1]),
            )

        conn.execute(sql.SQL("SET LOCAL ROLE {}").format(sql.Identifier(owner)))
        for table, name, definition in constraints:
            conn.execute(
                sql.SQL("ALTER TABLE {} ADD CONSTRAINT {} {}").format(
                    sql.Identifier(table), sql.Identifier(name), sql.SQL(definition)
                )
            )
        for definition in indexes:
            conn.execute(sql.SQL(definition))
        for name, *_options, table, column in sequences:
            if table is not None:
                conn.execute(
                    sql.SQL("ALTER SEQUENCE {} OWNED BY {}").format(sql.Identifier(name), sql.Identifier(table, column))
                )
        conn.execute("RESET ROLE")
    return True


def _index_in_schema(definition: str, table: str, template: str, target: str) -> str:
    for on in (" ON ", " ON ONLY "):
        qualified = f"{on}{template}.{table} "
        if qualified in definition:
            return definition.replace(qualified, f"{on}{target}.{table} ", 1)
    raise TemplateNotClonable(f"cannot find the table {template}.{table} in the index definition {definition!r}")


def _column_definition(column: tuple[Any, ...]) -> sql.Composable:
    (_oid, name, type_name, not_null, default, generated, identity, collation) = column[:8]
    parts: list[sql.Composable] = [sql.Identifier(name), sql.SQL(type_name)]
    if collation is not None:
        parts.append(sql.SQL(f"COLLATE {collation}"))
    if generated is not None:
        parts.append(sql.SQL(f"GENERATED ALWAYS AS ({generated}) STORED"))
    elif identity:
        sequence, start, increment, minimum, maximum, cache, cycle = column[8:15]
        parts.append(
            sql.SQL("GENERATED {} AS IDENTITY (SEQUENCE NAME {} {})").format(
                sql.SQL("ALWAYS" if identity == "a" else "BY DEFAULT"),
                sql.Identifier(sequence),
                _sequence_options(start, increment, minimum, maximum, cache, cycle),
            )
        )
    elif default is not None:
        parts.append(sql.SQL(f"DEFAULT {default}"))
    if not_null:
        parts.append(sql.SQL("NOT NULL"))
    return sql.SQL(" ").join(parts)
