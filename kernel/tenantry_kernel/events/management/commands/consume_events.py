"""`manage.py consume_events NAME`: run one of the project's event consumers (settings.EVENT_CONSUMERS)."""

from __future__ import annotations

import signal
import threading
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.module_loading import import_string

from tenantry_kernel.events.consumer import EventConsumer, Subscription
from tenantry_kernel.metrics import serve_metrics


class Command(BaseCommand):
    help = "Consume events into this service (SIGTERM stops after the message being handled)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name", help=f"one of: {', '.join(getattr(settings, 'EVENT_CONSUMERS', {}))}")
        parser.add_argument("--metrics-port", type=int, default=0, help="serve Prometheus metrics on this port")

    def handle(self, *args: Any, **options: Any) -> None:
        consumers: dict[str, str] = getattr(settings, "EVENT_CONSUMERS", {})
        if options["name"] not in consumers:
            raise CommandError(f"no consumer {options['name']!r}; this service has: {', '.join(consumers) or 'none'}")
        subscription = import_string(consumers[options["name"]])()
        if not isinstance(subscription, Subscription):
            raise CommandError(f"{consumers[options['name']]} did not return a Subscription")
        if options["metrics_port"]:
            serve_metrics(options["metrics_port"])
        stop = threading.Event()
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_: stop.set())
        EventConsumer(subscription, settings.EVENTS_BROKER_URL).run(stop)
