"""Migrating new tenant schemas fast: clone `tenant_template`, a schema migrated once per shard.

The template is rebuilt whenever the tenant app's migrations change; the clone recreates its
tables, sequences, constraints, indexes and rows in the tenant schema, in one transaction."""

from __future__ import annotations

import hashlib
import logging
import re
import secrets
from typing import Any

import psycopg
from psycopg import sql

from tenantry_kernel.provisioning.database.base import TenantDatabaseError, admin_connection, fetch_one
from tenantry_kernel.provisioning.database.migrations import ManagePyMigrationRunner
from tenantry_kernel.provisioning.database.roles import confine_role, ensure_login_role
from tenantry_kernel.provisioning.database.schemas import TenantDatabase

logger = logging.getLogger(__name__)

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


class TemplateNotClonable(TenantDatabaseError):
    """The template schema holds objects the SQL clone does not recreate."""


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
        with admin_connection(self.admin_dsn) as conn:
            if _has_relations(conn, tenant.schema):
                fresh = False
            else:
                self._ensure_template(conn)
                fresh = _clone_schema(conn, self.template_schema, tenant.schema, tenant.role, self.fingerprint())
        if not fresh:
            self.migrate(tenant)

    def ensure_template(self) -> None:
        with admin_connection(self.admin_dsn) as conn:
            self._ensure_template(conn)

    def _template_fingerprint(self, conn: psycopg.Connection[Any]) -> str | None:
        comment = fetch_one(
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
        ensure_login_role(conn, self.template_role, password, connection_limit=3)
        try:
            with conn.transaction():
                conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(schema))
                conn.execute(sql.SQL("CREATE SCHEMA {} AUTHORIZATION {}").format(schema, role))
            with conn.transaction():
                conn.execute(sql.SQL("ALTER ROLE {} SET search_path = {}").format(role, schema))
            confine_role(conn, self.template_role)
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
        fetch_one(
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
        nsp = fetch_one(
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
