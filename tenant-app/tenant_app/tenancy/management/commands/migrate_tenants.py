"""Migrate tenant schemas in this process: one tenant, several, or every routed tenant.

    manage.py migrate_tenants --all
    manage.py migrate_tenants --tenant acme --tenant bolt

Each schema is migrated as its tenant's own role (so the tenant owns what migrate
creates), one after the other in one process: Django and the migration graph load once,
which is what makes upgrading a whole shard quick. In dedicated mode the process is one
tenant already and this is a plain `migrate`.
"""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection

from tenant_app.tenancy.routes import tenants_on_shard
from tenantry_kernel.context import bound_tenant


class Command(BaseCommand):
    help = __doc__.splitlines()[0]

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--tenant", action="append", default=[], help="a tenant slug (repeatable)")
        parser.add_argument("--all", action="store_true", help="every tenant in the shard's routing table")

    def handle(self, *args: Any, **options: Any) -> None:
        verbosity = int(options["verbosity"])
        if settings.TENANCY_MODE == "dedicated":
            call_command("migrate", interactive=False, verbosity=verbosity)
            return
        known = tenants_on_shard()
        if options["all"]:
            wanted = sorted(known)
        elif options["tenant"]:
            missing = sorted(set(options["tenant"]) - set(known))
            if missing:
                raise CommandError(f"not routed on this shard: {', '.join(missing)}; check the slugs")
            wanted = options["tenant"]
        else:
            raise CommandError("name tenants with --tenant SLUG, or give --all")
        quote = connection.ops.quote_name
        for slug in wanted:
            schema, role = known[slug]
            started = time.perf_counter()
            with bound_tenant(slug), connection.cursor() as cursor:
                cursor.execute(f"SET ROLE {quote(role)}")
                cursor.execute(f"SET search_path TO {quote(schema)}")
                try:
                    call_command("migrate", interactive=False, verbosity=max(0, verbosity - 1))
                finally:
                    cursor.execute("RESET ROLE")
                    cursor.execute("RESET search_path")
            self.stdout.write(f"{slug}: migrated in {time.perf_counter() - started:.2f} s")
