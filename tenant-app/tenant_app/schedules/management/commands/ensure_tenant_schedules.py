"""Register the Celery Beat entries of tenants: one tenant, several, or every routed tenant.

    manage.py ensure_tenant_schedules --all
    manage.py ensure_tenant_schedules --tenant acme --tenant bolt

Idempotent: run it after provisioning or at deploy. `--all` also pauses the entries of
suspended tenants and removes those of tenants no longer routed on the shard. In dedicated
mode the process is one tenant and either form ensures that tenant's entries.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from tenant_app.schedules.actions import ensure_tenant_schedules, sync_shard_schedules
from tenant_app.tenancy.routes import tenants_on_shard


class Command(BaseCommand):
    help = __doc__.splitlines()[0]

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--tenant", action="append", default=[], help="a tenant slug (repeatable)")
        parser.add_argument("--all", action="store_true", help="every tenant in the shard's routing table")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["all"] == bool(options["tenant"]):
            raise CommandError("name tenants with --tenant SLUG, or give --all (not both)")
        if options["all"]:
            counts = sync_shard_schedules()
            self.stdout.write(", ".join(f"{what}: {count}" for what, count in counts.items()))
            return
        if settings.TENANCY_MODE == "shared":
            missing = sorted(set(options["tenant"]) - set(tenants_on_shard()))
            if missing:
                raise CommandError(f"not routed on this shard: {', '.join(missing)}; check the slugs")
        for slug in options["tenant"]:
            try:
                entries = ensure_tenant_schedules(slug)
            except ValueError as error:
                raise CommandError(str(error)) from error
            self.stdout.write(f"{slug}: {', '.join(entry.name for entry in entries)}")
