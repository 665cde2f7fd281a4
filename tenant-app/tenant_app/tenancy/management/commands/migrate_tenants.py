"""Migrate tenant schemas in this process: one tenant, several, or every routed tenant.

    manage.py migrate_tenants --all
    manage.py migrate_tenants --tenant acme --tenant bolt

Each schema is migrated as its tenant's own role (so the tenant owns what migrate
creates), one after the other in one process: Django and the migration graph load once,
which is what makes upgrading a whole shard quick. In dedicated mode the process is one
tenant already and this is a plain `migrate`.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.db import connection

from tenant_app.tenancy.commands import TenantCommand
from tenantry_kernel.context import bound_tenant


class Command(TenantCommand):
    help = __doc__.splitlines()[0]

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.TENANCY_MODE == "dedicated":
            call_command("migrate", interactive=False, verbosity=int(options["verbosity"]))
            return
        super().handle(*args, **options)

    def handle_tenant(self, slug: str, **options: Any) -> str:
        schema, role = self.shard_tenants[slug]
        quote = connection.ops.quote_name
        with bound_tenant(slug), connection.cursor() as cursor:
            cursor.execute(f"SET ROLE {quote(role)}")
            cursor.execute(f"SET search_path TO {quote(schema)}")
            try:
                call_command("migrate", interactive=False, verbosity=max(0, int(options["verbosity"]) - 1))
            finally:
                cursor.execute("RESET ROLE")
                cursor.execute("RESET search_path")
        return "migrated"
