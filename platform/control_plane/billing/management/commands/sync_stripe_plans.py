"""Create the paid plans' Stripe Products and monthly prices from `billing.plans` unless Stripe has them already."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from control_plane.billing.actions.subscriptions import ensure_catalogue


class Command(BaseCommand):
    help = __doc__

    def handle(self, *args: Any, **options: Any) -> None:
        ensure_catalogue()
        self.stdout.write("The paid plans' Stripe products and prices are in place")
