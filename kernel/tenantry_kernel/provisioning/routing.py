"""The shared tier's routing table: host → (tenant, schema, role), kept in the shard's `public` schema.

The shared tenant-app deployment of a shard reads this table to pick the schema and role
for each request (in the manner of django-tenants); suspending a tenant blocks its routes.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import psycopg

from tenantry_kernel.provisioning.naming import role_name, schema_name

_CREATE = """
CREATE TABLE IF NOT EXISTS public.tenantry_routes (
    host text PRIMARY KEY,
    tenant text NOT NULL,
    schema_name text NOT NULL,
    role_name text NOT NULL,
    suspended boolean NOT NULL DEFAULT false,
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS tenantry_routes_tenant ON public.tenantry_routes (tenant);
"""


class HostTaken(ValueError):
    """A hostname is already routed to another tenant."""


def _connect(admin_dsn: str) -> psycopg.Connection[Any]:
    """A connection to the shard with the routing table in place.

    The table is created (when missing) in its own committed transaction, never inside a
    tenant's: CREATE INDEX takes a share lock on the table, and two tenants' transactions
    each holding one while deleting rows would deadlock.
    """
    conn = psycopg.connect(admin_dsn)
    if conn.execute("SELECT to_regclass('public.tenantry_routes')").fetchone() == (None,):
        # Concurrent CREATE ... IF NOT EXISTS can still collide in the catalog.
        conn.execute("SELECT pg_advisory_xact_lock(hashtext('public.tenantry_routes'))")
        conn.execute(_CREATE)
    conn.commit()
    return conn


@dataclass(frozen=True)
class Route:
    host: str
    tenant: str
    schema_name: str
    role_name: str
    suspended: bool


def ensure_routes(admin_dsn: str, slug: str, hosts: Iterable[str], *, suspended: bool) -> list[Route]:
    """Make the tenant's routes exactly `hosts` (one transaction); returns them."""
    wanted = sorted({host.lower() for host in hosts})
    with _connect(admin_dsn) as conn:
        conn.execute("DELETE FROM public.tenantry_routes WHERE tenant = %s AND NOT (host = ANY(%s))", [slug, wanted])
        for host in wanted:
            conn.execute(
                """
                INSERT INTO public.tenantry_routes (host, tenant, schema_name, role_name, suspended)
                VALUES (%s, %s, %s, %s, %s)
                ON CONFLICT (host) DO UPDATE SET
                    tenant = EXCLUDED.tenant, schema_name = EXCLUDED.schema_name,
                    role_name = EXCLUDED.role_name, suspended = EXCLUDED.suspended, updated_at = now()
                WHERE tenantry_routes.tenant = EXCLUDED.tenant
                """,
                [host, slug, schema_name(slug), role_name(slug), suspended],
            )
        taken = conn.execute(
            "SELECT host, tenant FROM public.tenantry_routes WHERE host = ANY(%s) AND tenant <> %s", [wanted, slug]
        ).fetchall()
        if taken:
            conn.rollback()
            owners = ", ".join(f"{host} (tenant {owner})" for host, owner in taken)
            raise HostTaken(f"these hostnames already belong to other tenants: {owners}")
        conn.commit()
    return routes_of(admin_dsn, slug)


def routes_of(admin_dsn: str, slug: str) -> list[Route]:
    with _connect(admin_dsn) as conn:
        rows = conn.execute(
            "SELECT host, tenant, schema_name, role_name, suspended FROM public.tenantry_routes "
            "WHERE tenant = %s ORDER BY host",
            [slug],
        ).fetchall()
        conn.commit()
    return [Route(*row) for row in rows]


def delete_routes(admin_dsn: str, slug: str) -> None:
    with _connect(admin_dsn) as conn:
        conn.execute("DELETE FROM public.tenantry_routes WHERE tenant = %s", [slug])
        conn.commit()
