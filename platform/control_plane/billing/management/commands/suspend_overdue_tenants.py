"""Suspend the tenants whose grace period after a failed payment ended unpaid (run it hourly, or by Beat)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from control_plane.billing.actions.dunning import suspend_overdue_tenants


class Command(BaseCommand):
    help = __doc__

    def handle(self, *args: Any, **options: Any) -> None:
        suspended = suspend_overdue_tenants()
        self.stdout.write(f"suspended {len(suspended)} tenant(s){': ' + ', '.join(suspended) if suspended else ''}")
