"""A real Celery worker on threads of the test process, reading a private queue of the real broker.

Celery's `start_worker` as it comes has two traps that made suites flaky under load:

- An idle worker's event loop sleeps until its next timer, at most 10 s; the broker heartbeat's
  timer (every minute) keeps it sleeping that long. Asked to stop, the worker may outlive the
  helper's shutdown timeout, and since the stop flag is global to the process, the leftover worker
  can stop the next test's worker before it has started.
- The helper waits for the start without a bound: a worker that dies while starting hangs the
  whole suite until CI kills it.

Here the worker runs without broker heartbeats (on loopback, for seconds, there is nothing to keep
alive), so its loop wakes every second and stops at once, and its start is awaited with a bound,
so a worker that never starts fails its test with a reason.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from celery.contrib.testing.worker import TestWorkController, start_worker

STARTUP_SECONDS = 60.0  # a failure bound, not a wait: a healthy worker starts in well under a second
SHUTDOWN_SECONDS = 10.0


class _BoundedStartWorker(TestWorkController):
    _on_started: threading.Event  # made by TestWorkController.__init__ (celery-types does not declare it)

    def ensure_started(self) -> None:
        if not self._on_started.wait(STARTUP_SECONDS):
            raise RuntimeError(
                f"the Celery worker did not start within {STARTUP_SECONDS:.0f} s: "
                "see its log above (is RabbitMQ up? did the worker thread raise?)"
            )


@contextmanager
def worker_on_queue(app: Any, queue: str, *, pool: str = "threads", concurrency: int = 2) -> Iterator[Any]:
    """A started worker of `app` consuming only `queue`; stopped (and waited for) when the block ends."""
    previous = app.conf.broker_heartbeat
    app.conf.broker_heartbeat = 0  # see the module's docstring
    try:
        with start_worker(
            app,
            pool=pool,
            concurrency=concurrency,
            queues=[queue],
            perform_ping_check=False,
            shutdown_timeout=SHUTDOWN_SECONDS,
            WorkController=_BoundedStartWorker,
        ) as worker:
            yield worker
    finally:
        app.conf.broker_heartbeat = previous
