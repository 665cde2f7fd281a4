"""Register the Celery Beat entries of tenants: one tenant, several, or every routed tenant.

    manage.py ensure_tenant_schedules --all
    manage.py ensure_tenant_schedules --tenant acme --tenant bolt

Idempotent: run it after provisioning or at deploy. `--all` also pauses the entries of
suspended tenants and removes those of tenants no longer routed on the shard. In dedicated
mode the process is one tenant and either form ensures that tenant's entries.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError

from tenant_app.schedules.actions import ensure_tenant_schedules, sync_shard_schedules
from tenant_app.tenancy.commands import TenantCommand


class Command(TenantCommand):
    help = __doc__.splitlines()[0]
    timed = False

    def handle(self, *args: Any, **options: Any) -> None:
        if options["all"] == bool(options["tenant"]):
            raise CommandError("name tenants with --tenant SLUG, or give --all (not both)")
        if options["all"]:
            # The whole shard at once: entries of departed tenants are removed too.
            counts = sync_shard_schedules()
            self.stdout.write(", ".join(f"{what}: {count}" for what, count in counts.items()))
            return
        super().handle(*args, **options)

    def handle_tenant(self, slug: str, **options: Any) -> str:
        try:
            entries = ensure_tenant_schedules(slug)
        except ValueError as error:
            raise CommandError(str(error)) from error
        return ", ".join(entry.name for entry in entries)
