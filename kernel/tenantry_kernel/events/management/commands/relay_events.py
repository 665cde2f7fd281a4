"""`manage.py relay_events`: publish this database's outboxes (every tenant schema on a shard) until stopped."""

from __future__ import annotations

import asyncio
import signal
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from tenantry_kernel.events.relay import Relay
from tenantry_kernel.events.settings import database_dsn
from tenantry_kernel.metrics import serve_metrics


class Command(BaseCommand):
    help = "Publish committed outbox events to RabbitMQ (SIGTERM stops after the current batch)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="drain every outbox once and exit")
        parser.add_argument("--batch-size", type=int, default=500)
        parser.add_argument("--sweep-interval", type=float, default=2.0, help="seconds between full sweeps")
        parser.add_argument("--schema", action="append", dest="schemas", help="only these schemas (repeatable)")
        parser.add_argument("--metrics-port", type=int, default=0, help="serve Prometheus metrics on this port")

    def handle(self, *args: Any, **options: Any) -> None:
        relay = Relay(
            dsn=database_dsn(),
            broker_url=settings.EVENTS_PUBLISH_URL,
            batch_size=options["batch_size"],
            sweep_interval=options["sweep_interval"],
            schemas=options["schemas"],
        )
        if options["metrics_port"]:
            serve_metrics(options["metrics_port"])
        if options["once"]:
            published = asyncio.run(_once(relay))
            self.stdout.write(f"published {published} events")
            return
        asyncio.run(_forever(relay))


async def _once(relay: Relay) -> int:
    try:
        return await relay.relay_once()
    finally:
        await relay.close()


async def _forever(relay: Relay) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    await relay.run(stop)
