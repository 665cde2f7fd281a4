"""`manage.py search_reindex`: rebuild the configured backend's index from the search records.

For a new or emptied Elasticsearch cluster, or after a mapping change (`--clear` drops the
indices and templates first). With the PostgreSQL backend the records are the index.
`--tenants` first brings the directory up to date from the control plane's tenant records
(for tenants that changed state before the search consumer ran); a newer event still wins.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from control_plane.search import actions
from control_plane.search.backends import get_backend
from control_plane.search.models import TenantEntry, TenantState
from control_plane.tenants.models import Tenant


class Command(BaseCommand):
    help = __doc__.splitlines()[0]

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--clear", action="store_true", help="drop the indices and templates first")
        parser.add_argument("--tenants", action="store_true", help="update the directory from the tenant records")

    def handle(self, *args: Any, **options: Any) -> None:
        backend = get_backend()
        if options["clear"]:
            backend.clear()
        backend.prepare()
        if options["tenants"]:
            for tenant in Tenant.objects.iterator():
                data = {"name": tenant.name, "plan": tenant.plan, "from_state": tenant.state,
                        "to_state": tenant.state, "reason": tenant.state_reason, "url": tenant.url}  # fmt: skip
                actions.record_tenant_state(tenant.slug, data, event_time=tenant.state_changed_at)
        tenants = 0
        # Each tenant's entry and all its products (indexed if visible, removed if not).
        for entry in TenantEntry.objects.exclude(state=TenantState.DELETED).iterator():
            backend.tenant_changed(entry)
            tenants += 1
        backend.flush()
        self.stdout.write(f"{backend.name}: reindexed {tenants} tenants and their products")
