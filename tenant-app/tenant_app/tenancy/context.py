"""Run code as a tenant: its role and schema for the length of one transaction."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection, transaction

from tenantry_kernel.context import bound_tenant
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
            cursor.execute(f"SET LOCAL ROLE {quote(route.role_name)}")
            cursor.execute(f"SET LOCAL search_path TO {quote(route.schema_name)}")
        yield route
