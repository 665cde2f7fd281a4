"""What every provisioning step shares: the admin connection, catalog lookups, the lock that
serializes ACL rewrites, and the error each step raises."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any, LiteralString

import psycopg

# GRANT/REVOKE rewrite one catalog row (the ACL of a database, of `public`): two sessions doing
# it at once fail with "tuple concurrently updated" unless serialized. An advisory lock does
# that within one database; sessions in two databases of a server (two shards) are retried.
ACL_LOCK: LiteralString = "SELECT pg_advisory_xact_lock(hashtext('tenantry:shard-acl'))"


class TenantDatabaseError(RuntimeError):
    """A provisioning step failed; the message says what and what to do."""


@contextmanager
def admin_connection(admin_dsn: str) -> Iterator[psycopg.Connection[Any]]:
    """Autocommit connection: each step opens its own `transaction()`."""
    with psycopg.connect(admin_dsn, autocommit=True) as conn:
        yield conn


def fetch_one(conn: psycopg.Connection[Any], query: LiteralString, params: Sequence[Any] | None = None) -> Any:
    row = conn.execute(query, params).fetchone()
    return None if row is None else row[0]


def role_exists(conn: psycopg.Connection[Any], role: str) -> bool:
    return bool(fetch_one(conn, "SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = %s)", (role,)))


def citus_version(conn: psycopg.Connection[Any]) -> str | None:
    version = fetch_one(conn, "SELECT extversion FROM pg_extension WHERE extname = 'citus'")
    return None if version is None else str(version)
