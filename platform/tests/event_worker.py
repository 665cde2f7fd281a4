"""A consumer process for test_events: `event_worker.py QUEUE BINDING MARKER stall|handle`.

`stall` touches MARKER inside the handler's transaction and then waits to be killed.
"""

from __future__ import annotations

import signal
import sys
import threading
import time
from pathlib import Path

import django

django.setup()

from control_plane.billing.events import on_usage_reported  # noqa: E402 (after django.setup)
from tenantry_kernel.events.consumer import EventConsumer, Subscription  # noqa: E402 (after django.setup)
from tenantry_kernel.events.envelope import Event  # noqa: E402 (after django.setup)

queue, binding, marker, mode = sys.argv[1:5]


def handler(event: Event) -> None:
    on_usage_reported(event)
    if mode == "stall":
        Path(marker).touch()
        time.sleep(600)


stop = threading.Event()
signal.signal(signal.SIGTERM, lambda *_: stop.set())
EventConsumer(
    Subscription(name=queue, bindings=[binding], handlers={"usage.reported": handler}),
    "amqp://guest:guest@127.0.0.1:5672/tenantry",
).run(stop)
