"""`manage.py prune_inbox`: forget handled event ids older than the broker could still redeliver."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tenantry_kernel.events.models import prune_inbox


class Command(BaseCommand):
    help = "Delete inbox entries older than --days (default 30): far past any redelivery or retry."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--days", type=int, default=30)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            deleted = prune_inbox(options["days"])
        except ValueError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"deleted {deleted} inbox entries handled more than {options['days']} days ago")
