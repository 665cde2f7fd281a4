"""Tasks the Celery tests send, and a real worker or beat process to run them.

The tasks write what they saw into Redis, so a test reads it the same way whether the task
ran in a thread of the test process or in a separate worker process it later killed.
Worker processes load this module with `--include tests.celery_probes`.
"""

from __future__ import annotations

import functools
import json
import os
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import redis
from celery import Task
from django.conf import settings
from django.db import connection

from tenant_app import celery_app
from tenantry_kernel.celery import transient_retries
from tenantry_kernel.context import current_tenant
from tenantry_kernel.testing import wait_until as kernel_wait_until
from tenantry_kernel.testing.workers import worker_on_queue

TENANT_APP_DIR = Path(__file__).resolve().parents[1]


def store() -> redis.Redis:
    return redis.Redis.from_url(settings.REDIS_URL, decode_responses=True)


def _whoami() -> list[Any]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user, current_schema()")
        user, schema = cursor.fetchone()
    return [user, schema, current_tenant()]


@celery_app.task(name="tests.probes.whoami")
def whoami(key: str) -> None:
    """Record the role, schema and tenant the task ran as."""
    store().rpush(key, json.dumps(_whoami()))


@celery_app.task(name="tests.probes.flaky", bind=True, **transient_retries(ConnectionError, backoff=1, backoff_max=1))
def flaky(self: Task[Any, Any], key: str, failures: int) -> None:
    """Fail with a transient error `failures` times, then succeed; every attempt is recorded."""
    attempt = cast(int, store().rpush(key, json.dumps([self.request.retries, *_whoami()])))
    if attempt <= failures:
        raise ConnectionError(f"attempt {attempt} of a flaky task fails on purpose")
    store().set(f"{key}:done", attempt)


@celery_app.task(name="tests.probes.hold", bind=True)
def hold(self: Task[Any, Any], key: str) -> None:
    """The first delivery holds on until its process is killed; a redelivery finishes."""
    redelivered = bool((self.request.delivery_info or {}).get("redelivered"))
    starts = cast(int, store().rpush(key, json.dumps([os.getpid(), redelivered, *_whoami()])))
    if starts == 1:
        time.sleep(120)
    store().set(f"{key}:done", os.getpid())


def probe_key() -> str:
    return f"tenantry-test:probe:{secrets.token_hex(6)}"


def records(key: str) -> list[list[Any]]:
    return [json.loads(item) for item in cast(list[str], store().lrange(key, 0, -1))]


def forget(prefix: str) -> None:
    client = store()
    for key in client.scan_iter(f"{prefix}*"):
        client.delete(key)


# Worker and beat processes start slowly on a busy machine: a longer default wait than the kernel's.
wait_until = functools.partial(kernel_wait_until, timeout=60)


@dataclass
class CeleryProcess:
    process: subprocess.Popen[bytes]
    log: Path

    @property
    def pid(self) -> int:
        return self.process.pid

    def kill_all(self) -> None:
        """SIGKILL the worker and its pool processes at once (a node that dies)."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def output(self) -> str:
        return self.log.read_text(errors="replace")


@contextmanager
def celery_process(args: list[str], log: Path, **env: str) -> Iterator[CeleryProcess]:
    """`celery -A tenant_app <args>` as the deployment runs it, on the test database; stopped on exit."""
    process_env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tenant_app.settings.test",
        # The test database, not the one the test settings would name (pytest-django prefixes test_).
        "PGDATABASE": str(connection.settings_dict["NAME"]),
        "PYTHONUNBUFFERED": "1",
        **env,
    }
    with log.open("wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "tenant_app", *args],
            cwd=TENANT_APP_DIR,
            env=process_env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, so it and its pool can be killed together
        )
    celery = CeleryProcess(process, log)
    try:
        yield celery
    finally:
        if process.poll() is None:
            process.terminate()
            with suppress(subprocess.TimeoutExpired):
                process.wait(timeout=20)
        # Whatever is left of the group (pool processes of a worker killed by hand).
        with suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        if process.poll() is None:
            process.wait(timeout=10)


@contextmanager
def thread_worker(queue: str, concurrency: int = 2) -> Iterator[None]:
    """A real worker in a thread of this process, reading `queue`."""
    with worker_on_queue(celery_app, queue, concurrency=concurrency):
        yield


def worker_args(queue: str, *, pool: str = "prefork", concurrency: int = 1) -> list[str]:
    return [
        "worker",
        "--queues",
        queue,
        "--pool",
        pool,
        "--concurrency",
        str(concurrency),
        "--include",
        "tests.celery_probes",
        "--hostname",
        f"probe-{secrets.token_hex(4)}@%h",
        "--without-gossip",
        "--without-mingle",
        "--loglevel",
        "INFO",
    ]
