"""The base of management commands that work tenant by tenant: `--tenant SLUG` (repeatable) or `--all`.

Shared tier: the tenants are those routed on this shard; a named slug that is not routed here is
refused before any work starts. Dedicated tier: the process is one tenant already, so that tenant is
the selection whatever the options say, and naming another one is refused.
"""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from tenant_app.tenancy.routes import tenants_on_shard


class TenantCommand(BaseCommand):
    """Runs `handle_tenant(slug, **options)` for each selected tenant, one after the other.

    Each tenant's work writes one line, `<slug>: <what handle_tenant returned>`, followed by
    ` in 1.23 s` when `timed`. The first tenant that fails stops the command with its error.
    """

    timed = True
    # Slug → (schema, role) of every tenant routed on this shard; filled by `selected_tenants` (shared tier).
    shard_tenants: dict[str, tuple[str, str]]

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--tenant", action="append", default=[], help="a tenant slug (repeatable)")
        parser.add_argument("--all", action="store_true", help="every tenant in the shard's routing table")

    def handle(self, *args: Any, **options: Any) -> None:
        for slug in self.selected_tenants(options):
            started = time.perf_counter()
            report = self.handle_tenant(slug, **options)
            if self.timed:
                report = f"{report} in {time.perf_counter() - started:.2f} s"
            self.stdout.write(f"{slug}: {report}")

    def handle_tenant(self, slug: str, **options: Any) -> str:
        """Do the command's work for one tenant; returns what to report after its slug."""
        raise NotImplementedError("subclasses of TenantCommand must provide a handle_tenant() method")

    def selected_tenants(self, options: dict[str, Any]) -> list[str]:
        """The tenants `--tenant` or `--all` name (`--all` wins when both are given)."""
        named: list[str] = options["tenant"]
        self.shard_tenants = {}
        if settings.TENANCY_MODE == "dedicated":
            if others := sorted(set(named) - {settings.TENANT_SLUG}):
                raise CommandError(
                    f"this process serves tenant {settings.TENANT_SLUG!r} only, not {', '.join(others)}; "
                    "run the command in that tenant's own deployment"
                )
            return [settings.TENANT_SLUG]
        self.shard_tenants = tenants_on_shard()
        if options["all"]:
            return sorted(self.shard_tenants)
        if not named:
            raise CommandError("name tenants with --tenant SLUG, or give --all")
        if missing := sorted(set(named) - set(self.shard_tenants)):
            raise CommandError(f"not routed on this shard: {', '.join(missing)}; check the slugs")
        return named
