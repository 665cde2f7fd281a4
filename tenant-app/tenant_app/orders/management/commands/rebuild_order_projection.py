"""Rebuild the order summaries from the order ledger's events: one tenant, several, or every routed tenant.

    manage.py rebuild_order_projection --all
    manage.py rebuild_order_projection --tenant acme --tenant bolt

Each tenant's rebuild is one transaction under its own identity (`as_tenant`): readers see the
old summaries until the new ones commit. In dedicated mode the process is one tenant already.
"""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from tenant_app.orders.ledger import OrderProjection
from tenant_app.orders.models import OrderSummary
from tenant_app.tenancy.context import as_tenant
from tenant_app.tenancy.routes import tenants_on_shard


class Command(BaseCommand):
    help = __doc__.splitlines()[0]

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--tenant", action="append", default=[], help="a tenant slug (repeatable)")
        parser.add_argument("--all", action="store_true", help="every tenant in the shard's routing table")

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.TENANCY_MODE == "dedicated":
            wanted = [settings.TENANT_SLUG]
        else:
            known = tenants_on_shard()
            if options["all"]:
                wanted = sorted(known)
            elif options["tenant"]:
                if missing := sorted(set(options["tenant"]) - set(known)):
                    raise CommandError(f"not routed on this shard: {', '.join(missing)}; check the slugs")
                wanted = options["tenant"]
            else:
                raise CommandError("name tenants with --tenant SLUG, or give --all")
        for slug in wanted:
            started = time.perf_counter()
            with as_tenant(slug):
                replayed = OrderProjection().replay()
                count = OrderSummary.objects.count()
            elapsed = time.perf_counter() - started
            self.stdout.write(f"{slug}: {replayed} events replayed into {count} orders in {elapsed:.2f} s")
