"""Tenant database provisioning against the real PostgreSQL: isolation, idempotence, lifecycle, clone."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
import pytest
from psycopg import sql

from tenantry_kernel.provisioning import routing
from tenantry_kernel.provisioning.database.base import TenantDatabaseError
from tenantry_kernel.provisioning.database.migrations import ManagePyMigrationRunner, migrate_tenant_schema
from tenantry_kernel.provisioning.database.roles import grant_router_role
from tenantry_kernel.provisioning.database.schemas import (
    TenantDatabase,
    disable_tenant_database,
    drop_tenant_database,
    ensure_tenant_database,
    inspect_tenant_database,
)
from tenantry_kernel.provisioning.database.shard import restrict_database_access, secure_shard, shard_info
from tenantry_kernel.provisioning.database.template_clone import TemplateCloneRunner
from tenantry_kernel.provisioning.naming import role_name, schema_name
from tenantry_kernel.provisioning.plans import PlanName, plan_for
from tenantry_kernel.testing.databases import server_conninfo, server_databases_reopened, server_params, server_url

SERVER = server_url()
MANAGE_PY = Path(__file__).resolve().parents[2] / "tenant-app" / "manage.py"
FREE, STARTER = plan_for(PlanName.FREE), plan_for(PlanName.STARTER)


@dataclass
class Shard:
    """A scratch database standing for a shard, and the server-global roles the test made."""

    dbname: str
    roles: list[str] = field(default_factory=list)

    @property
    def admin_dsn(self) -> str:
        return f"{SERVER}/{self.dbname}"

    def new_slug(self) -> str:
        slug = f"test-{secrets.token_hex(4)}"
        self.roles.append(role_name(slug))
        return slug

    def new_role(self, prefix: str) -> str:
        role = f"{prefix}_{secrets.token_hex(4)}"
        self.roles.append(role)
        return role

    def query(self, query: Any, params: Any = None) -> list[tuple[Any, ...]]:
        with psycopg.connect(self.admin_dsn, autocommit=True) as conn:
            cursor = conn.execute(query, params)
            return cursor.fetchall() if cursor.description is not None else []


@pytest.fixture
def shard() -> Iterator[Shard]:
    shard = Shard(f"tenantry_test_{secrets.token_hex(4)}")
    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(shard.dbname)))
    yield shard
    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(shard.dbname)))
        # Roles are global to the server; with the database gone they own nothing any more.
        for role in shard.roles:
            conn.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(role)))


@pytest.fixture
def manage_py_runner() -> ManagePyMigrationRunner:
    return ManagePyMigrationRunner(MANAGE_PY)


@pytest.fixture
def clone_runner(shard: Shard, manage_py_runner: ManagePyMigrationRunner) -> TemplateCloneRunner:
    return TemplateCloneRunner(shard.admin_dsn, manage_py_runner, template_role=shard.new_role("tenantry_template"))


def connect_as(tenant: TenantDatabase) -> psycopg.Connection[Any]:
    return psycopg.connect(tenant.dsn(), autocommit=True)


def scram_verifies(verifier: str, password: str) -> bool:
    """What the server checks at a SCRAM login: the stored key derives from the password."""
    method, rest = verifier.split("$", 1)
    iterations_salt, keys = rest.split("$")
    iterations, salt = iterations_salt.split(":")
    stored_key = keys.split(":")[0]
    salted = hashlib.pbkdf2_hmac("sha256", password.encode(), base64.b64decode(salt), int(iterations))
    client_key = hmac.digest(salted, b"Client Key", "sha256")
    return method == "SCRAM-SHA-256" and hashlib.sha256(client_key).digest() == base64.b64decode(stored_key)


def describe_schema(shard: Shard, schema: str) -> dict[str, Any]:
    """Everything migrate decides about a schema, with the schema's own name left out."""
    with psycopg.connect(shard.admin_dsn, autocommit=True) as conn:
        conn.execute(sql.SQL("SET search_path = {}").format(sql.Identifier(schema)))
        nsp = conn.execute("SELECT oid FROM pg_namespace WHERE nspname = %s", (schema,)).fetchone()
        assert nsp is not None

        def rows(query: Any) -> list[tuple[Any, ...]]:
            return conn.execute(query, {"nsp": nsp[0]}).fetchall()

        description = {
            "relations": rows("SELECT relname, relkind FROM pg_class WHERE relnamespace = %(nsp)s ORDER BY 1"),
            "columns": rows(
                """SELECT c.relname, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull,
                          pg_get_expr(d.adbin, d.adrelid), a.attidentity, a.attgenerated, a.attcollation
                   FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
                   LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
                   WHERE c.relnamespace = %(nsp)s AND c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped
                   ORDER BY 1, 2"""
            ),
            "constraints": rows(
                """SELECT c.relname, k.conname, k.contype, pg_get_constraintdef(k.oid), k.condeferrable,
                          k.condeferred
                   FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid
                   WHERE c.relnamespace = %(nsp)s ORDER BY 1, 2"""
            ),
            "indexes": [
                (table, name, definition.replace(f" ON {schema}.", " ON "))
                for table, name, definition in rows(
                    """SELECT c.relname, ic.relname, pg_get_indexdef(i.indexrelid)
                       FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid JOIN pg_class ic ON ic.oid = i.indexrelid
                       WHERE c.relnamespace = %(nsp)s ORDER BY 1, 2"""
                )
            ],
            "sequences": rows(
                """SELECT s.relname, q.seqtypid, q.seqstart, q.seqincrement, q.seqmin, q.seqmax, q.seqcache,
                          q.seqcycle, (SELECT deptype FROM pg_depend WHERE objid = s.oid AND refobjsubid > 0)
                   FROM pg_class s JOIN pg_sequence q ON q.seqrelid = s.oid
                   WHERE s.relnamespace = %(nsp)s ORDER BY 1"""
            ),
            "sequence_values": [
                (
                    name,
                    *conn.execute(
                        sql.SQL("SELECT last_value, is_called FROM {}").format(sql.Identifier(name))
                    ).fetchall()[0],
                )
                for (name,) in rows(
                    "SELECT relname FROM pg_class WHERE relnamespace = %(nsp)s AND relkind = 'S' ORDER BY 1"
                )
            ],
            "migrations": conn.execute("SELECT app, name FROM django_migrations ORDER BY app, name").fetchall(),
            "content_types": conn.execute("SELECT * FROM django_content_type ORDER BY id").fetchall(),
            "permissions": conn.execute("SELECT * FROM auth_permission ORDER BY id").fetchall(),
        }
    return description


def owners(shard: Shard, schema: str) -> set[str]:
    return {
        owner
        for (owner,) in shard.query(
            """SELECT DISTINCT pg_get_userbyid(c.relowner) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
               WHERE n.nspname = %s""",
            (schema,),
        )
    }


def public_relations(shard: Shard) -> list[tuple[Any, ...]]:
    return shard.query("SELECT relname FROM pg_class WHERE relnamespace = 'public'::regnamespace")


# -- ensure ---------------------------------------------------------------------------------


def test_ensure_twice_gives_the_same_complete_state(shard: Shard) -> None:
    # given
    slug = shard.new_slug()
    first = ensure_tenant_database(shard.admin_dsn, slug, FREE, "first-password")

    # when
    second = ensure_tenant_database(shard.admin_dsn, slug, FREE, "first-password")

    # then
    assert first == second
    assert (second.schema, second.role, second.dbname) == (schema_name(slug), role_name(slug), shard.dbname)
    state = inspect_tenant_database(shard.admin_dsn, slug)
    assert (state.role_exists, state.role_can_login, state.schema_exists) == (True, True, True)
    assert state.schema_owner == role_name(slug)
    assert not state.migrated
    assert state.connection_limit == FREE.db_connection_limit
    (attributes,) = shard.query(
        """SELECT rolsuper, rolcreatedb, rolcreaterole, rolinherit, rolreplication, rolbypassrls,
                  (SELECT setconfig FROM pg_db_role_setting WHERE setrole = r.oid)
           FROM pg_roles r WHERE rolname = %s""",
        (role_name(slug),),
    )
    assert attributes == (False, False, False, False, False, False, [f"search_path={schema_name(slug)}"])


def test_ensure_completes_after_a_crash_that_left_only_the_role(shard: Shard) -> None:
    # given: a reconcile that died right after creating the role
    slug = shard.new_slug()
    shard.query(sql.SQL("CREATE ROLE {} NOLOGIN").format(sql.Identifier(role_name(slug))))
    assert inspect_tenant_database(shard.admin_dsn, slug).schema_exists is False

    # when
    tenant = ensure_tenant_database(shard.admin_dsn, slug, STARTER, "resumed-password")

    # then
    state = inspect_tenant_database(shard.admin_dsn, slug)
    assert (state.role_can_login, state.schema_owner, state.connection_limit) == (
        True,
        tenant.role,
        STARTER.db_connection_limit,
    )
    with connect_as(tenant) as conn:
        assert conn.execute("SELECT current_schema()").fetchone() == (tenant.schema,)


def test_password_is_stored_as_a_scram_verifier_and_a_new_one_replaces_it(shard: Shard) -> None:
    # given
    slug = shard.new_slug()
    ensure_tenant_database(shard.admin_dsn, slug, FREE, "old-password")

    # when
    tenant = ensure_tenant_database(shard.admin_dsn, slug, FREE, "new p@ss/w:rd%")

    # then
    ((verifier,),) = shard.query("SELECT rolpassword FROM pg_authid WHERE rolname = %s", (tenant.role,))
    assert scram_verifies(verifier, "new p@ss/w:rd%")
    assert not scram_verifies(verifier, "old-password")
    assert "new p@ss/w:rd%" not in repr(tenant)
    server = server_params()
    expected = f"postgresql://{tenant.role}:new%20p%40ss%2Fw%3Ard%25@{server['host']}:{server['port']}/{shard.dbname}"
    assert tenant.dsn() == expected


# -- isolation ------------------------------------------------------------------------------


def test_the_role_creates_tables_in_its_own_schema(shard: Shard) -> None:
    # given
    tenant = ensure_tenant_database(shard.admin_dsn, shard.new_slug(), FREE, "pw-one")

    # when
    with connect_as(tenant) as conn:
        conn.execute("CREATE TABLE notes (id bigint PRIMARY KEY, body text)")
        conn.execute("INSERT INTO notes VALUES (1, 'hello')")

    # then
    assert shard.query(sql.SQL("SELECT body FROM {}").format(sql.Identifier(tenant.schema, "notes"))) == [("hello",)]
    assert owners(shard, tenant.schema) == {tenant.role}


def test_the_role_cannot_read_another_tenants_schema(shard: Shard) -> None:
    # given
    alice = ensure_tenant_database(shard.admin_dsn, shard.new_slug(), FREE, "pw-alice")
    bob = ensure_tenant_database(shard.admin_dsn, shard.new_slug(), FREE, "pw-bob")
    with connect_as(bob) as conn:
        conn.execute("CREATE TABLE secrets (value text)")

    # when / then
    with connect_as(alice) as conn, pytest.raises(psycopg.errors.InsufficientPrivilege) as raised:
        conn.execute(sql.SQL("SELECT * FROM {}").format(sql.Identifier(bob.schema, "secrets")))
    assert raised.value.diag.message_primary == f"permission denied for schema {bob.schema}"


def test_the_role_cannot_create_objects_in_public(shard: Shard) -> None:
    # given
    tenant = ensure_tenant_database(shard.admin_dsn, shard.new_slug(), FREE, "pw-one")

    # when / then
    with connect_as(tenant) as conn, pytest.raises(psycopg.errors.InsufficientPrivilege) as raised:
        conn.execute("CREATE TABLE public.intruder (id int)")
    assert raised.value.diag.message_primary == "permission denied for schema public"
    assert public_relations(shard) == []


def test_only_granted_roles_may_connect_to_the_shard_database(shard: Shard) -> None:
    # given: a login role that is no tenant of this shard
    tenant = ensure_tenant_database(shard.admin_dsn, shard.new_slug(), FREE, "pw-one")
    stranger = shard.new_role("stranger")
    shard.query(sql.SQL("CREATE ROLE {} LOGIN PASSWORD 'pw-stranger'").format(sql.Identifier(stranger)))

    # when / then: it signs in (right password) and is refused the database
    with pytest.raises(psycopg.OperationalError, match=f'permission denied for database "{shard.dbname}"'):
        psycopg.connect(server_conninfo(shard.dbname, user=stranger, password="pw-stranger")).close()
    with connect_as(tenant) as conn:
        assert conn.execute("SELECT current_user").fetchone() == (tenant.role,)


def refused_connect(dbname: str) -> str:
    """What PostgreSQL answers a role that signs in (right password) without CONNECT on `dbname`."""
    return re.escape(
        f'FATAL:  permission denied for database "{dbname}"\nDETAIL:  User does not have CONNECT privilege.'
    )


@pytest.fixture
def other_database(shard: Shard) -> Iterator[str]:
    """A second database on the shard's server, as PostgreSQL makes it: PUBLIC may connect."""
    name = f"tenantry_test_other_{secrets.token_hex(4)}"
    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    yield name
    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def database_acl(name: str) -> Any:
    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as conn:
        row = conn.execute("SELECT datacl::text FROM pg_database WHERE datname = %s", (name,)).fetchone()
    assert row is not None
    return row[0]


def test_the_role_can_neither_use_public_nor_make_temporary_tables(shard: Shard) -> None:
    # given a function in the shard's `public` schema (as an extension would put there)
    tenant = ensure_tenant_database(shard.admin_dsn, shard.new_slug(), FREE, "pw-one")
    shard.query("CREATE FUNCTION public.shard_secret() RETURNS text LANGUAGE sql AS $$ SELECT 'secret' $$")

    # when / then
    with connect_as(tenant) as conn:
        with pytest.raises(psycopg.errors.InsufficientPrivilege) as used:
            conn.execute("SELECT public.shard_secret()")
        with pytest.raises(psycopg.errors.InsufficientPrivilege) as temporary:
            conn.execute("CREATE TEMPORARY TABLE scratch (id int)")
    assert used.value.diag.message_primary == "permission denied for schema public"
    assert temporary.value.diag.message_primary == (
        f'permission denied to create temporary tables in database "{shard.dbname}"'
    )


def test_restricting_a_database_leaves_its_owner_superusers_and_the_granted_roles(
    shard: Shard, other_database: str
) -> None:
    # given two login roles, neither owner nor superuser, and a database PUBLIC may connect to
    stranger, granted = shard.new_role("stranger"), shard.new_role("granted")
    for role in (stranger, granted):
        shard.query(sql.SQL("CREATE ROLE {} LOGIN PASSWORD 'pw-role'").format(sql.Identifier(role)))
    psycopg.connect(server_conninfo(other_database, user=stranger, password="pw-role")).close()

    # when it is restricted (a database the server lacks is skipped), twice
    found = restrict_database_access(shard.admin_dsn, [other_database, "tenantry_no_such_database"], connect=[granted])
    acl = database_acl(other_database)
    again = restrict_database_access(shard.admin_dsn, [other_database], connect=[granted])

    # then only the granted role (and the superuser) still connect, and the repeat changed nothing
    assert (found, again) == ([other_database], [other_database])
    assert database_acl(other_database) == acl
    with pytest.raises(psycopg.OperationalError, match=refused_connect(other_database)):
        psycopg.connect(server_conninfo(other_database, user=stranger, password="pw-role")).close()
    with psycopg.connect(server_conninfo(other_database, user=granted, password="pw-role")) as conn:
        assert conn.execute("SELECT current_user").fetchone() == (granted,)
    with psycopg.connect(server_conninfo(other_database)) as conn:
        assert conn.execute("SELECT current_user").fetchone() == (server_params()["user"],)


def test_restricting_says_what_to_do_when_the_admin_may_not_revoke(shard: Shard, other_database: str) -> None:
    # given an admin connection whose role neither owns the database nor is a superuser
    admin = shard.new_role("not_owner")
    shard.query(sql.SQL("CREATE ROLE {} LOGIN PASSWORD 'pw-admin'").format(sql.Identifier(admin)))

    # when it tries to restrict the database
    with pytest.raises(TenantDatabaseError) as raised:
        restrict_database_access(server_conninfo(other_database, user=admin, password="pw-admin"), [other_database])

    # then it is told, and PUBLIC still may connect
    assert str(raised.value) == (
        f"every role may still connect to database {other_database}: {admin} may not revoke that "
        f"(it neither owns the database nor is a superuser); run REVOKE ALL ON DATABASE {other_database} "
        "FROM PUBLIC as its owner, or give the admin connection a role that may"
    )
    assert database_acl(other_database) is None


def test_securing_a_shard_closes_the_servers_own_databases_and_the_platforms_to_its_tenants(
    shard: Shard, other_database: str
) -> None:
    with server_databases_reopened():
        # given a tenant on a shard whose server also holds the platform's database
        tenant = ensure_tenant_database(shard.admin_dsn, shard.new_slug(), FREE, "pw-one")

        # when the shard is secured, twice
        closed = secure_shard(shard.admin_dsn, other_databases=[other_database])
        assert secure_shard(shard.admin_dsn, other_databases=[other_database]) == closed

        # then the tenant's role signs in to none of them, and still to its shard
        assert closed == [shard.dbname, "postgres", "template1", other_database]
        for dbname in ("postgres", "template1", other_database):
            with pytest.raises(psycopg.OperationalError, match=refused_connect(dbname)):
                psycopg.connect(server_conninfo(dbname, user=tenant.role, password="pw-one")).close()
    with connect_as(tenant) as conn:
        assert conn.execute("SELECT current_user, current_schema").fetchone() == (tenant.role, tenant.schema)


def test_the_connection_limit_is_the_plans_and_follows_a_plan_change(shard: Shard) -> None:
    # given
    slug = shard.new_slug()
    tenant = ensure_tenant_database(shard.admin_dsn, slug, FREE, "pw-one")
    connections = [connect_as(tenant) for _ in range(FREE.db_connection_limit)]
    try:
        with pytest.raises(psycopg.OperationalError, match=f'too many connections for role "{tenant.role}"'):
            connect_as(tenant).close()
    finally:
        for conn in connections:
            conn.close()

    # when
    ensure_tenant_database(shard.admin_dsn, slug, STARTER, "pw-one")

    # then
    assert inspect_tenant_database(shard.admin_dsn, slug).connection_limit == STARTER.db_connection_limit


# -- migrations -----------------------------------------------------------------------------


def test_migrate_creates_djangos_tables_in_the_tenant_schema_only(
    shard: Shard, manage_py_runner: ManagePyMigrationRunner
) -> None:
    # given
    tenant = ensure_tenant_database(shard.admin_dsn, shard.new_slug(), FREE, "pw-migrate")

    # when
    migrate_tenant_schema(tenant, manage_py_runner)

    # then
    assert inspect_tenant_database(shard.admin_dsn, tenant.slug).migrated
    described = describe_schema(shard, tenant.schema)
    assert ("auth", "0001_initial") in described["migrations"]
    # post_migrate ran in the tenant schema too: the permissions of the app's models exist
    assert {"add_user", "view_group", "delete_session"} <= {row[3] for row in described["permissions"]}
    assert public_relations(shard) == []
    assert owners(shard, tenant.schema) == {tenant.role}


def test_a_failing_migration_reports_the_commands_stderr(shard: Shard, tmp_path: Path) -> None:
    # given: a tenant app whose settings module cannot be imported
    tenant = ensure_tenant_database(shard.admin_dsn, shard.new_slug(), FREE, "pw-fails")
    runner = ManagePyMigrationRunner(MANAGE_PY, settings_module="tenant_app.settings.missing")

    # when / then
    with pytest.raises(RuntimeError, match=r"exited with 1(.|\n)*No module named 'tenant_app.settings.missing'"):
        migrate_tenant_schema(tenant, runner)


def test_template_clone_gives_the_schema_a_real_migrate_gives(
    shard: Shard, manage_py_runner: ManagePyMigrationRunner, clone_runner: TemplateCloneRunner
) -> None:
    # given
    migrated = ensure_tenant_database(shard.admin_dsn, shard.new_slug(), FREE, "pw-migrated")
    migrate_tenant_schema(migrated, manage_py_runner)
    cloned = ensure_tenant_database(shard.admin_dsn, shard.new_slug(), FREE, "pw-cloned")

    # when
    migrate_tenant_schema(cloned, clone_runner)

    # then
    assert describe_schema(shard, cloned.schema) == describe_schema(shard, migrated.schema)
    assert owners(shard, cloned.schema) == {cloned.role}
    assert inspect_tenant_database(shard.admin_dsn, cloned.slug).migrated
    assert public_relations(shard) == []
    # and the tenant app agrees: nothing left to apply, nothing changed by trying
    before = describe_schema(shard, cloned.schema)
    output = manage_py_runner.run(cloned, "migrate", "--noinput").stdout
    assert "No migrations to apply." in output
    assert describe_schema(shard, cloned.schema) == before
    # and the tenant can use what it owns: the identity sequences continue after the copied rows
    with connect_as(cloned) as conn:
        row = conn.execute(
            "INSERT INTO django_content_type (app_label, model) VALUES ('notes', 'note') RETURNING id"
        ).fetchone()
    assert row == (len(before["content_types"]) + 1,)


def test_cloning_an_already_migrated_schema_runs_the_real_migrate_instead(
    shard: Shard, clone_runner: TemplateCloneRunner
) -> None:
    # given
    tenant = ensure_tenant_database(shard.admin_dsn, shard.new_slug(), FREE, "pw-twice")
    migrate_tenant_schema(tenant, clone_runner)
    with connect_as(tenant) as conn:
        conn.execute("INSERT INTO django_session VALUES ('k', 'data', now())")

    # when
    migrate_tenant_schema(tenant, clone_runner)

    # then
    assert shard.query(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(tenant.schema, "django_session"))) == [
        (1,)
    ]


def test_a_template_built_for_other_migrations_is_rebuilt_before_cloning(
    shard: Shard, clone_runner: TemplateCloneRunner
) -> None:
    # given: a template whose recorded migrations no longer match the tenant app's
    clone_runner.ensure_template()
    shard.query("DROP TABLE tenant_template.django_session")
    shard.query("COMMENT ON SCHEMA tenant_template IS 'migrations of an older release'")
    tenant = ensure_tenant_database(shard.admin_dsn, shard.new_slug(), FREE, "pw-rebuilt")

    # when
    migrate_tenant_schema(tenant, clone_runner)

    # then
    assert shard.query("SELECT obj_description('tenant_template'::regnamespace)") == [(clone_runner.fingerprint(),)]
    assert ("django_session", "r") in describe_schema(shard, tenant.schema)["relations"]
    # and the template role cannot log in between builds
    assert shard.query("SELECT rolcanlogin FROM pg_roles WHERE rolname = %s", (clone_runner.template_role,)) == [
        (False,)
    ]


# -- lifecycle ------------------------------------------------------------------------------


def test_retain_disables_login_and_keeps_the_data_until_ensure_re_enables(shard: Shard) -> None:
    # given
    slug = shard.new_slug()
    tenant = ensure_tenant_database(shard.admin_dsn, slug, FREE, "pw-retain")
    with connect_as(tenant) as conn:
        conn.execute("CREATE TABLE notes (body text)")
        conn.execute("INSERT INTO notes VALUES ('kept')")
    session = connect_as(tenant)

    # when
    disable_tenant_database(shard.admin_dsn, slug)

    # then
    with pytest.raises(psycopg.OperationalError, match=f'role "{tenant.role}" is not permitted to log in'):
        connect_as(tenant).close()
    with pytest.raises(psycopg.OperationalError, match="terminating connection due to administrator command"):
        session.execute("SELECT 1")  # its open session was terminated
    session.close()
    assert shard.query(sql.SQL("SELECT body FROM {}").format(sql.Identifier(tenant.schema, "notes"))) == [("kept",)]
    state = inspect_tenant_database(shard.admin_dsn, slug)
    assert (state.role_exists, state.role_can_login, state.schema_exists) == (True, False, True)

    # and when it is ensured again, it logs in and finds its data
    ensure_tenant_database(shard.admin_dsn, slug, FREE, "pw-retain")
    with connect_as(tenant) as conn:
        assert conn.execute("SELECT body FROM notes").fetchall() == [("kept",)]


def test_delete_removes_role_and_schema_and_repeating_it_is_fine(shard: Shard) -> None:
    # given
    slug = shard.new_slug()
    tenant = ensure_tenant_database(shard.admin_dsn, slug, FREE, "pw-delete")
    with connect_as(tenant) as conn:
        conn.execute("CREATE TABLE notes (body text)")
    session = connect_as(tenant)

    # when
    drop_tenant_database(shard.admin_dsn, slug)
    drop_tenant_database(shard.admin_dsn, slug)

    # then
    session.close()
    assert shard.query("SELECT count(*) FROM pg_roles WHERE rolname = %s", (tenant.role,)) == [(0,)]
    assert shard.query("SELECT count(*) FROM pg_namespace WHERE nspname = %s", (tenant.schema,)) == [(0,)]
    state = inspect_tenant_database(shard.admin_dsn, slug)
    assert (state.role_exists, state.schema_exists, state.connection_limit) == (False, False, None)


def test_disabling_a_tenant_that_does_not_exist_is_fine(shard: Shard) -> None:
    # given
    slug = shard.new_slug()

    # when
    disable_tenant_database(shard.admin_dsn, slug)

    # then
    assert inspect_tenant_database(shard.admin_dsn, slug).role_exists is False


# -- drift and shard ------------------------------------------------------------------------


def test_inspect_reports_a_missing_schema_and_a_missing_role(shard: Shard) -> None:
    # given: one tenant lost its schema, another its role
    lost_schema = ensure_tenant_database(shard.admin_dsn, shard.new_slug(), FREE, "pw-one")
    lost_role = ensure_tenant_database(shard.admin_dsn, shard.new_slug(), FREE, "pw-two")
    shard.query(sql.SQL("DROP SCHEMA {}").format(sql.Identifier(lost_schema.schema)))
    shard.query(sql.SQL("ALTER SCHEMA {} OWNER TO postgres").format(sql.Identifier(lost_role.schema)))
    shard.query(sql.SQL("DROP OWNED BY {}").format(sql.Identifier(lost_role.role)))
    shard.query(sql.SQL("DROP ROLE {}").format(sql.Identifier(lost_role.role)))

    # when
    without_schema = inspect_tenant_database(shard.admin_dsn, lost_schema.slug)
    without_role = inspect_tenant_database(shard.admin_dsn, lost_role.slug)

    # then
    assert (without_schema.role_exists, without_schema.schema_exists, without_schema.schema_owner) == (
        True,
        False,
        None,
    )
    assert (without_role.role_exists, without_role.role_can_login, without_role.connection_limit) == (
        False,
        False,
        None,
    )
    assert (without_role.schema_exists, without_role.schema_owner) == (True, "postgres")


def test_shard_info_counts_tenants_and_reports_no_citus(shard: Shard, clone_runner: TemplateCloneRunner) -> None:
    # given: two tenants, the template and an unrelated schema
    for _ in range(2):
        ensure_tenant_database(shard.admin_dsn, shard.new_slug(), FREE, "pw-count")
    clone_runner.ensure_template()
    shard.query("CREATE SCHEMA t_not_a_tenant")

    # when
    info = shard_info(shard.admin_dsn)

    # then
    assert info.tenant_count == 2
    assert info.citus_version is None
    assert info.server_version == shard.query("SHOW server_version")[0][0]


def test_many_tenants_provisioned_at_once_do_not_collide_on_shared_grants(shard: Shard) -> None:
    # Granting on the same catalog rows at once fails with "tuple concurrently updated"
    # unless the library serializes it.
    slugs = [shard.new_slug() for _ in range(12)]

    with ThreadPoolExecutor(max_workers=12) as pool:
        provisioned = list(
            pool.map(lambda slug: ensure_tenant_database(shard.admin_dsn, slug, FREE, "pw-" + slug), slugs)
        )

    assert [tenant.slug for tenant in provisioned] == slugs
    assert shard_info(shard.admin_dsn).tenant_count == len(slugs)


def test_a_router_role_reads_nothing_itself_and_becomes_only_granted_tenants(shard: Shard) -> None:
    ident = sql.Identifier

    def orders(schema: str) -> sql.Composed:
        return sql.SQL("SELECT count(*) FROM {}.orders").format(ident(schema))

    # given the shared tenant-app's role: NOINHERIT, owning nothing, allowed to connect
    router = shard.new_role("tenantry_router")
    shard.query(sql.SQL("CREATE ROLE {} LOGIN NOINHERIT PASSWORD 'pw-router'").format(ident(router)))
    shard.query(sql.SQL("GRANT CONNECT ON DATABASE {} TO {}").format(ident(shard.dbname), ident(router)))
    granted = ensure_tenant_database(shard.admin_dsn, shard.new_slug(), FREE, "pw-granted")
    other = ensure_tenant_database(shard.admin_dsn, shard.new_slug(), FREE, "pw-other")
    for tenant in (granted, other):
        shard.query(sql.SQL("CREATE TABLE {}.orders (id int)").format(ident(tenant.schema)))
        shard.query(sql.SQL("ALTER TABLE {}.orders OWNER TO {}").format(ident(tenant.schema), ident(tenant.role)))

    # when only one tenant is granted to it
    grant_router_role(shard.admin_dsn, granted.slug, router)
    grant_router_role(shard.admin_dsn, granted.slug, router)  # repeatable

    # then it reads nothing as itself, the granted tenant after SET ROLE, never the other
    with psycopg.connect(server_conninfo(shard.dbname, user=router, password="pw-router"), autocommit=True) as conn:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute(orders(granted.schema))
        conn.execute(sql.SQL("SET ROLE {}").format(ident(granted.role)))
        assert conn.execute(orders(granted.schema)).fetchone() == (0,)
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute(orders(other.schema))
        conn.execute("RESET ROLE")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute(sql.SQL("SET ROLE {}").format(ident(other.role)))


def test_a_router_role_reads_the_routing_table_in_public_where_tenant_roles_cannot(shard: Shard) -> None:
    ident = sql.Identifier

    # given the shared tenant-app's role, allowed to connect and to read the routing table, and a routed tenant
    router = shard.new_role("tenantry_router")
    shard.query(sql.SQL("CREATE ROLE {} LOGIN NOINHERIT PASSWORD 'pw-router'").format(ident(router)))
    shard.query(sql.SQL("GRANT CONNECT ON DATABASE {} TO {}").format(ident(shard.dbname), ident(router)))
    tenant = ensure_tenant_database(shard.admin_dsn, shard.new_slug(), FREE, "pw-one")
    routing.ensure_routes(shard.admin_dsn, tenant.slug, ["shop.example.com"], suspended=False)
    shard.query(sql.SQL("GRANT SELECT ON public.tenantry_routes TO {}").format(ident(router)))

    # when the tenant is granted to the router
    grant_router_role(shard.admin_dsn, tenant.slug, router)

    # then the router looks its route up, and the tenant's role may not even look into `public`
    with psycopg.connect(server_conninfo(shard.dbname, user=router, password="pw-router")) as conn:
        assert conn.execute("SELECT host, tenant FROM public.tenantry_routes").fetchall() == [
            ("shop.example.com", tenant.slug)
        ]
    with connect_as(tenant) as conn, pytest.raises(psycopg.errors.InsufficientPrivilege) as raised:
        conn.execute("SELECT host FROM public.tenantry_routes")
    assert raised.value.diag.message_primary == "permission denied for schema public"
