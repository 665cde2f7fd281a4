"""A tenant's login role: created or reset (its password sent as a SCRAM verifier), confined to its
own schema, granted to the shard's router role, and its sessions ended."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from typing import Any

import psycopg
from psycopg import sql

from tenantry_kernel.provisioning.database.base import ACL_LOCK, admin_connection, role_exists
from tenantry_kernel.provisioning.naming import role_name, validate_slug

_SESSION_TERMINATION_TIMEOUT_MS = 5000
_SCRAM_ITERATIONS = 4096


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


_ROLE_ATTRIBUTES = sql.SQL("NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT NOREPLICATION NOBYPASSRLS")


def ensure_login_role(conn: psycopg.Connection[Any], role: str, password: str, connection_limit: int) -> None:
    """Create the role if missing, then (re)set everything: repeats update plan and password."""
    ident = sql.Identifier(role)
    if not role_exists(conn, role):
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


def confine_role(conn: psycopg.Connection[Any], role: str) -> None:
    """The role may connect to this database and use its own schema, nothing else here."""
    ident = sql.Identifier(role)
    database = sql.Identifier(conn.info.dbname)
    with conn.transaction():
        conn.execute(ACL_LOCK)  # two tenants provisioned at once grant on the same rows
        conn.execute(sql.SQL("REVOKE ALL ON SCHEMA public FROM {}").format(ident))
        # PUBLIC's defaults (CONNECT and TEMPORARY on the database, USAGE on `public`) would
        # hand every login role of the server what only granted roles should have.
        conn.execute(sql.SQL("REVOKE ALL ON SCHEMA public FROM PUBLIC"))
        conn.execute(sql.SQL("REVOKE ALL ON DATABASE {} FROM PUBLIC").format(database))
        conn.execute(sql.SQL("GRANT CONNECT ON DATABASE {} TO {}").format(database, ident))


def terminate_sessions(conn: psycopg.Connection[Any], role: str) -> None:
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
    with admin_connection(admin_dsn) as conn, conn.transaction():
        conn.execute(ACL_LOCK)
        conn.execute(sql.SQL("GRANT {} TO {}").format(sql.Identifier(role), sql.Identifier(router_role)))
        # PUBLIC may not use `public` on a shard: the router looks up routes there (reading the
        # routing table is granted on the table itself).
        conn.execute(sql.SQL("GRANT USAGE ON SCHEMA public TO {}").format(sql.Identifier(router_role)))
