"""Test helpers shared by every component's suite (real servers, free ports, log capture)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import requests


def free_port() -> int:
    """A TCP port on loopback that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def stop_process(process: subprocess.Popen[Any], timeout: float = 10.0) -> None:
    """SIGTERM, up to `timeout` seconds to finish, then SIGKILL: a test never leaves a process behind."""
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def wait_for_http(url: str, timeout: float = 30.0, process: subprocess.Popen[str] | None = None) -> None:
    deadline = time.monotonic() + timeout
    last_error: Exception | None = None
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode} before answering {url}")
        try:
            # A server that has just started may take a few seconds over its first answer (a cold `next start`).
            requests.get(url, timeout=max(1.0, min(10.0, deadline - time.monotonic())))
            return
        except (requests.ConnectionError, requests.Timeout) as exc:
            last_error = exc
            time.sleep(0.1)
    raise TimeoutError(f"{url} did not answer within {timeout}s: {last_error}")


@dataclass
class ServedApp:
    """A web process started by a test; its stdout is collected as JSON log records."""

    base_url: str
    process: subprocess.Popen[str]
    lines: list[str] = field(default_factory=list)

    def records(self) -> list[dict[str, Any]]:
        parsed = []
        for line in list(self.lines):
            try:
                parsed.append(json.loads(line))
            except json.JSONDecodeError:
                parsed.append({"unparsed": line})
        return parsed

    def wait_for_record(self, predicate: Any, timeout: float = 10.0) -> list[dict[str, Any]]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            matching = [record for record in self.records() if predicate(record)]
            if matching:
                # Give a straggling duplicate line a moment to show up too.
                time.sleep(0.2)
                return [record for record in self.records() if predicate(record)]
            time.sleep(0.05)
        return []


@contextmanager
def serve_app(
    asgi_app: str, service: str, settings_module: str, cwd: str, env: Mapping[str, str] | None = None
) -> Iterator[ServedApp]:
    """Run `python -m tenantry_kernel.serve` on a free port; stop it on exit."""
    port = free_port()
    process_env = {**os.environ, "DJANGO_SETTINGS_MODULE": settings_module, "PYTHONUNBUFFERED": "1", **(env or {})}
    process = subprocess.Popen(
        [sys.executable, "-m", "tenantry_kernel.serve", asgi_app, "--service", service, "--port", str(port)],
        cwd=cwd,
        env=process_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    served = ServedApp(f"http://127.0.0.1:{port}", process)

    def collect() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            served.lines.append(line.rstrip("\n"))

    reader = threading.Thread(target=collect, daemon=True)
    reader.start()
    try:
        wait_for_http(f"{served.base_url}/healthz", process=process)
        yield served
    finally:
        stop_process(process)
        reader.join(timeout=5)


def delete_queue(celery_app: Any, queue: str) -> None:
    """Remove a test's private Celery queue from the broker."""
    with celery_app.connection_for_write() as connection:
        connection.default_channel.queue_delete(queue)


def wait_until(condition: Any, timeout: float = 30.0, what: str = "the condition") -> Any:
    """Poll `condition()` until it returns something true, and return that; else fail the test saying
    `what` did not happen in time (an AssertionError)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if result := condition():
            return result
        time.sleep(0.05)
    raise AssertionError(f"{what} did not happen within {timeout}s")


def forget_cached() -> None:
    """Delete this run's entries from the default cache, and only those (the keys under its KEY_PREFIX).

    Never `cache.clear()` in a test: on Redis it is FLUSHDB, which also wipes what the other suites and
    checkouts running at the same time keep in the same database (their probes, budgets, sessions).
    """
    from django.conf import settings
    from django.core.cache import cache

    prefix = settings.CACHES["default"].get("KEY_PREFIX")
    if not prefix:
        raise RuntimeError("the test settings need a KEY_PREFIX of the run's own to forget only its entries")
    client = cache._cache.get_client(write=True)  # type: ignore[attr-defined]  # Django's RedisCache
    for key in client.scan_iter(f"{prefix}:*", count=1000):
        client.delete(key)
