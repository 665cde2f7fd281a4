"""Host → tenant route lookups on the shard's routing table (the provisioning library's), cached briefly."""

from __future__ import annotations

import re
import threading
import time

from django.conf import settings
from django.db import connection

from tenantry_kernel.provisioning.routing import Route

# Names the provisioning library generates; anything else in the table is refused.
_IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


_SELECT = "SELECT host, tenant, schema_name, role_name, suspended FROM public.tenantry_routes"
_QUERIES = {
    "host": f"{_SELECT} WHERE host = %s",
    # Every route of a tenant has the same schema, role and suspension; any one will do.
    "tenant": f"{_SELECT} WHERE tenant = %s ORDER BY host LIMIT 1",
}


class RouteTable:
    """Reads `public.tenantry_routes`; a miss or hit is kept for `ttl` seconds."""

    def __init__(self, ttl: float) -> None:
        self.ttl = ttl
        self._lock = threading.Lock()
        self._cache: dict[tuple[str, str], tuple[float, Route | None]] = {}

    def lookup(self, host: str) -> Route | None:
        return self._cached("host", host.lower())

    def of_tenant(self, tenant: str) -> Route | None:
        """A tenant's route for work that has no host (tasks, commands)."""
        return self._cached("tenant", tenant)

    def forget(self) -> None:
        with self._lock:
            self._cache.clear()

    def _cached(self, column: str, value: str) -> Route | None:
        now = time.monotonic()
        with self._lock:
            cached = self._cache.get((column, value))
            if cached and cached[0] > now:
                return cached[1]
        route = self._fetch(column, value)
        with self._lock:
            self._cache[(column, value)] = (now + self.ttl, route)
        return route

    def _fetch(self, column: str, value: str) -> Route | None:
        with connection.cursor() as cursor:
            cursor.execute("SELECT to_regclass('public.tenantry_routes') IS NOT NULL")
            if not cursor.fetchone()[0]:
                return None
            cursor.execute(_QUERIES[column], [value])
            row = cursor.fetchone()
        if row is None:
            return None
        route = Route(*row)
        if not (_IDENTIFIER.match(route.schema_name) and _IDENTIFIER.match(route.role_name)):
            raise ValueError(f"the routing table holds an invalid schema or role for {column} {value!r}")
        return route


routes = RouteTable(ttl=float(getattr(settings, "TENANCY_ROUTE_TTL", 5.0)))


def tenants_on_shard() -> dict[str, tuple[str, str]]:
    """Every routed tenant of this shard: slug → (schema, role)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass('public.tenantry_routes') IS NOT NULL")
        if not cursor.fetchone()[0]:
            return {}
        cursor.execute("SELECT DISTINCT tenant, schema_name, role_name FROM public.tenantry_routes")
        rows = cursor.fetchall()
    tenants = {}
    for slug, schema, role in rows:
        if not (_IDENTIFIER.match(schema) and _IDENTIFIER.match(role)):
            raise ValueError(f"the routing table holds an invalid schema or role for tenant {slug!r}")
        tenants[slug] = (schema, role)
    return tenants
