"""Readiness checks of the services a process depends on.

Each check opens its own short-lived connection with a timeout, so a hung dependency
makes the probe fail fast instead of hanging the probe (or a pooled connection).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field
from typing import Any

Check = Callable[[float], None]


@dataclass(frozen=True)
class CheckResult:
    name: str
    ok: bool
    duration_ms: float
    error: str | None = None

    def as_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {"status": "ok" if self.ok else "error", "duration_ms": self.duration_ms}
        if self.error:
            body["error"] = self.error
        return body


@dataclass(frozen=True)
class Readiness:
    results: list[CheckResult] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(result.ok for result in self.results)

    def as_dict(self) -> dict[str, Any]:
        return {
            "status": "ok" if self.ok else "unavailable",
            "checks": {result.name: result.as_dict() for result in self.results},
            "failing": [result.name for result in self.results if not result.ok],
        }


def check_postgres(connect_params: Mapping[str, Any]) -> Check:
    """A check that connects with the given psycopg parameters and runs `SELECT 1`."""

    def run(timeout: float) -> None:
        import psycopg

        params = dict(connect_params)
        params["connect_timeout"] = max(1, int(timeout))
        params.pop("cursor_factory", None)
        with psycopg.connect(**params) as conn:
            conn.execute("SELECT 1")

    return run


def check_redis(url: str) -> Check:
    def run(timeout: float) -> None:
        import redis

        client = redis.Redis.from_url(url, socket_connect_timeout=timeout, socket_timeout=timeout)
        try:
            client.ping()
        finally:
            client.close()

    return run


def check_amqp(url: str) -> Check:
    def run(timeout: float) -> None:
        from kombu import Connection

        with Connection(url, connect_timeout=timeout) as conn:
            conn.ensure_connection(max_retries=1, timeout=max(1, round(timeout)))

    return run


def _describe(exc: BaseException) -> str:
    # First line only: libpq messages run over several lines; connection URLs with
    # passwords never appear in these exception texts, but keep them short anyway.
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"{type(exc).__name__}: {text}"[:300] if text else type(exc).__name__


def _timed(name: str, check: Check, timeout: float) -> CheckResult:
    started = time.perf_counter()
    try:
        check(timeout)
    except Exception as exc:  # a failing dependency is data here, not an error
        return CheckResult(name, False, _elapsed_ms(started), _describe(exc))
    return CheckResult(name, True, _elapsed_ms(started))


def _elapsed_ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 1)


def run_checks(checks: Mapping[str, Check], timeout: float = 2.0) -> Readiness:
    """Run the checks concurrently; each one fails if it does not finish within `timeout`."""
    if not checks:
        return Readiness([])
    pool = ThreadPoolExecutor(max_workers=len(checks), thread_name_prefix="readyz")
    try:
        futures = {name: pool.submit(_timed, name, check, timeout) for name, check in checks.items()}
        results = []
        deadline = time.monotonic() + timeout + 0.5
        for name, future in futures.items():
            try:
                results.append(future.result(timeout=max(0.0, deadline - time.monotonic())))
            except FutureTimeout:
                results.append(CheckResult(name, False, round(timeout * 1000, 1), f"timed out after {timeout}s"))
    finally:
        # Do not wait for a hung check: the probe answers now and the thread ends on
        # its own socket timeout.
        pool.shutdown(wait=False, cancel_futures=True)
    return Readiness(results)
