"""Prometheus metrics shared by every web process.

Labels are bounded on purpose: the route *template* (never the raw path), a method from
a fixed set and the status code. No tenant or user ids: those belong in logs and traces.
"""

from __future__ import annotations

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
    start_http_server,
)

from tenantry_kernel.config import getenv

KNOWN_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
UNMATCHED_ROUTE = "<unmatched>"

HTTP_REQUESTS = Counter(
    "tenantry_http_requests_total",
    "HTTP requests handled, by route template, method and status.",
    ["route", "method", "status"],
)
HTTP_REQUEST_DURATION = Histogram(
    "tenantry_http_request_duration_seconds",
    "Time to handle an HTTP request, by route template, method and status.",
    ["route", "method", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
HTTP_REQUEST_DB_QUERIES = Histogram(
    "tenantry_http_request_db_queries",
    "Database queries run while handling one HTTP request, by route template.",
    ["route", "method"],
    buckets=(0, 1, 2, 5, 10, 20, 50, 100, 250),
)


def method_label(method: str | None) -> str:
    method = (method or "").upper()
    return method if method in KNOWN_METHODS else "other"


def observe_request(route: str, method: str, status: int, seconds: float, db_queries: int) -> None:
    method = method_label(method)
    status_label = str(status)
    HTTP_REQUESTS.labels(route, method, status_label).inc()
    HTTP_REQUEST_DURATION.labels(route, method, status_label).observe(seconds)
    HTTP_REQUEST_DB_QUERIES.labels(route, method).observe(db_queries)


def exposition() -> tuple[bytes, str]:
    """The text exposition of this process, or of all workers in multiprocess mode."""
    if getenv("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        return generate_latest(registry), CONTENT_TYPE_LATEST
    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST


def serve_metrics(port: int, addr: str = "0.0.0.0") -> None:  # noqa: S104 (scraped from inside the cluster)
    """Expose this process's metrics on their own port (processes without a web server)."""
    start_http_server(port, addr=addr)
