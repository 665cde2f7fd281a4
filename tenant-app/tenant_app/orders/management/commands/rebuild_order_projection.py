"""Rebuild the order summaries from the order ledger's events: one tenant, several, or every routed tenant.

    manage.py rebuild_order_projection --all
    manage.py rebuild_order_projection --tenant acme --tenant bolt

Each tenant's rebuild is one transaction under its own identity (`as_tenant`): readers see the
old summaries until the new ones commit. In dedicated mode the process is one tenant already.
"""

from __future__ import annotations

from typing import Any

from tenant_app.orders.ledger import OrderProjection
from tenant_app.orders.models import OrderSummary
from tenant_app.tenancy.commands import TenantCommand
from tenant_app.tenancy.context import as_tenant


class Command(TenantCommand):
    help = __doc__.splitlines()[0]

    def handle_tenant(self, slug: str, **options: Any) -> str:
        with as_tenant(slug):
            replayed = OrderProjection().replay()
            count = OrderSummary.objects.count()
        return f"{replayed} events replayed into {count} orders"
