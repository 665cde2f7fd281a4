"""`manage.py prune_inbox`: forget handled event ids older than the broker could still redeliver."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from tenantry_kernel.events.models import InboxEvent


class Command(BaseCommand):
    help = "Delete inbox entries older than --days (default 30): far past any redelivery or retry."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--days", type=int, default=30)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["days"] < 1:
            self.stderr.write("--days must be at least 1: a redelivery may still come")
            raise SystemExit(2)
        cutoff = timezone.now() - timedelta(days=options["days"])
        deleted, _ = InboxEvent.objects.filter(handled_at__lt=cutoff).delete()
        self.stdout.write(f"deleted {deleted} inbox entries handled before {cutoff:%Y-%m-%d %H:%M}")
