"""`manage.py sync_tenants [--every SECONDS]`: mirror the Tenant resources' status into the records."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from control_plane.tenants.tasks import sync_tenants


class Command(BaseCommand):
    help = "Mirror the status of every Tenant resource (conditions, state) into the control plane's records."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--every", type=float, default=0.0, help="repeat every SECONDS (0: once)")

    def handle(self, *args: Any, **options: Any) -> None:
        while True:
            count = sync_tenants()
            self.stdout.write(f"synced {count} tenant(s)")
            if not options["every"]:
                return
            time.sleep(options["every"])
