"""Run code as a tenant: its role and schema for the length of one transaction, in a request or a task."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.db import DatabaseError, connection, transaction

from tenant_app.tenancy.routes import routes
from tenantry_kernel.context import bound_tenant, current_tenant
from tenantry_kernel.provisioning.routing import Route


@contextmanager
def tenant_transaction(route: Route) -> Iterator[Route]:
    """One transaction in which the connection is the tenant's role on the tenant's schema.

    `SET LOCAL` ends with the transaction, whether it commits or rolls back, so a pooled
    or persistent connection never carries one tenant's identity into the next request.
    """
    quote = connection.ops.quote_name
    with bound_tenant(route.tenant), transaction.atomic():
        with connection.cursor() as cursor:
            try:
                # One round trip for both (no parameters, so psycopg sends them as one simple query).
                cursor.execute(
                    f"SET LOCAL ROLE {quote(route.role_name)}; SET LOCAL search_path TO {quote(route.schema_name)}"
                )
            except DatabaseError as exc:
                # The role is gone: the tenant was deleted after this process cached its route.
                raise TenantGone(f"tenant {route.tenant!r} has no database role any more") from exc
        yield route


@contextmanager
def tenant_step() -> Iterator[None]:
    """A short transaction as the tenant this request or task is bound to, for code that must not hold one open
    while it waits on the outside world (a payment gateway's HTTP call): read or write, commit, then call.

    Inside a caller's transaction (a task under `as_tenant`, a test) it is a savepoint of that transaction.
    Views whose class sets `own_transactions = True` get no transaction from TenantMiddleware and use this.
    """
    if connection.in_atomic_block:
        with transaction.atomic():
            yield
        return
    tenant = current_tenant()
    if settings.TENANCY_MODE == "dedicated":
        with transaction.atomic():
            yield
        return
    route = routes.of_tenant(tenant) if tenant else None
    if route is None:
        raise TenantUnavailable(f"tenant {tenant!r} has no route on this shard")
    with tenant_transaction(route):
        yield


class TenantUnavailable(Exception):
    """Work for a tenant this process cannot serve now (unknown here, or suspended); retry later."""


class TenantGone(TenantUnavailable):
    """The tenant's route was still cached here, but the tenant has been deleted."""


@contextmanager
def as_tenant(tenant: str) -> Iterator[None]:
    """Do work for `tenant` outside a request (a task, a command), under its identity.

    Dedicated: the connection already is the tenant's role; only this tenant is served.
    Shared: the tenant's route from the routing table, in one tenant transaction.
    """
    if settings.TENANCY_MODE == "dedicated":
        if tenant != settings.TENANT_SLUG:
            raise TenantUnavailable(f"this process serves tenant {settings.TENANT_SLUG!r}, not {tenant!r}")
        with bound_tenant(tenant):
            yield
        return
    route = routes.of_tenant(tenant)
    if route is None:
        raise TenantUnavailable(f"tenant {tenant!r} has no route on this shard")
    if route.suspended:
        raise TenantUnavailable(f"tenant {tenant!r} is suspended")
    with tenant_transaction(route):
        yield
