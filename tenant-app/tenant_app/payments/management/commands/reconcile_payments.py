"""Read every open payment not updated for a while back from its gateway and record what changed: one tenant or all.

    manage.py reconcile_payments --all [--minutes 15]

What makes good a crash between a gateway's call and its record, a webhook that never came, or a hold that
lapsed at the gateway (its order is then cancelled). Run it from a schedule (cron, a Kubernetes CronJob).
Gateways are called with no transaction open: each payment is read in one short tenant transaction and
recorded in another (tenant_app.payments.actions), so the command only binds the tenant.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.management.base import CommandParser

from tenant_app.payments.actions import reconcile_open_payments
from tenant_app.tenancy.commands import TenantCommand
from tenantry_kernel.context import bound_tenant


class Command(TenantCommand):
    help = __doc__.splitlines()[0]

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--minutes", type=int, default=15, help="only payments not updated for this long (default 15)"
        )

    def handle_tenant(self, slug: str, **options: Any) -> str:
        with bound_tenant(slug):
            outcome = reconcile_open_payments(timedelta(minutes=options["minutes"]))
        return f"{outcome['reconciled']} open payments reconciled, {outcome['failed']} gateways did not answer"
