"""Middleware every Django process runs.

`ProbeMiddleware` answers `/healthz`, `/readyz` and `/metrics` first in the chain: probes
come from the kubelet and Prometheus with the pod IP as host and over plain HTTP, so they
must not meet host validation, HTTPS redirects or sessions.

`RequestContextMiddleware` gives each request an id, writes one JSON access line and
records the request metrics (by route template) and its database query count.

`ApiErrorBodyMiddleware` keeps every error under the API prefixes in problem details
(tenantry_kernel.web.errors), also where Django answers with its own pages, and logs an API answer that
breaks the contract the OpenAPI schemas promise: a 201 or 202 without `Location` (tenantry_kernel.web.openapi).
"""

from __future__ import annotations

import hmac
import logging
import time
from collections.abc import Callable
from contextlib import ExitStack
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.db import connections
from django.http import HttpRequest, HttpResponse, JsonResponse

from tenantry_kernel import health, metrics
from tenantry_kernel.context import accept_request_id, bound_request_id, current_tenant
from tenantry_kernel.web.errors import PROBLEM_CONTENT_TYPE, error_response, is_api, problem_response

access_log = logging.getLogger("tenantry.access")
# The API answered against its documented contract: a bug to fix (tests fail on it, tenantry_kernel.testing.problems).
contract_log = logging.getLogger("tenantry.api_contract")
security_log = logging.getLogger("django.security.RequestDataTooBig")

GetResponse = Callable[[HttpRequest], HttpResponse]

REQUEST_ID_HEADER = "X-Request-ID"


def readiness_checks() -> dict[str, health.Check]:
    """The dependencies this process cannot serve without, from its settings."""
    checks: dict[str, health.Check] = {}
    for alias in settings.DATABASES:
        name = "postgres" if alias == "default" else f"postgres:{alias}"
        checks[name] = health.check_postgres(connections[alias].get_connection_params())
    redis_url = getattr(settings, "REDIS_URL", None)
    if redis_url:
        checks["redis"] = health.check_redis(redis_url)
    broker_url = getattr(settings, "CELERY_BROKER_URL", None)
    if broker_url:
        checks["rabbitmq"] = health.check_amqp(broker_url)
    return checks


class ProbeMiddleware:
    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response
        self.routes: dict[str, Callable[[HttpRequest], HttpResponse]] = {
            "/healthz": self.healthz,
            "/readyz": self.readyz,
            "/metrics": self.metrics,
        }

    def __call__(self, request: HttpRequest) -> HttpResponse:
        probe = self.routes.get(request.path.rstrip("/") or "/")
        if probe is None:
            return self.get_response(request)
        if request.method not in ("GET", "HEAD"):
            refused = problem_response(request, "method_not_allowed", "Probes answer GET and HEAD only.")
            refused["Allow"] = "GET, HEAD"
            return refused
        response = probe(request)
        response["Cache-Control"] = "no-store"
        return response

    def healthz(self, request: HttpRequest) -> HttpResponse:
        return JsonResponse({"status": "ok", "service": settings.SERVICE_NAME})

    def readyz(self, request: HttpRequest) -> HttpResponse:
        timeout = float(getattr(settings, "READINESS_TIMEOUT", 2.0))
        readiness = health.run_checks(readiness_checks(), timeout=timeout)
        if not readiness.ok:
            access_log.warning("not ready", extra={"failing": readiness.as_dict()["failing"]})
        return JsonResponse(
            {"service": settings.SERVICE_NAME, **readiness.as_dict()},
            status=200 if readiness.ok else 503,
        )

    def metrics(self, request: HttpRequest) -> HttpResponse:
        token = getattr(settings, "METRICS_TOKEN", "")
        if token:
            supplied = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
            if not hmac.compare_digest(supplied.encode(), token.encode()):
                refused = problem_response(
                    request, "not_authenticated", "Send the metrics token as a Bearer token."
                )
                refused["WWW-Authenticate"] = "Bearer"
                return refused
        body, content_type = metrics.exposition()
        return HttpResponse(body, content_type=content_type)


class _QueryCounter:
    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        self.count += 1
        return execute(sql, params, many, context)


class RequestContextMiddleware:
    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = accept_request_id(request.headers.get(REQUEST_ID_HEADER))
        counter = _QueryCounter()
        started = time.perf_counter()
        status = 500
        with bound_request_id(request_id), ExitStack() as stack:
            for connection in connections.all():
                stack.enter_context(connection.execute_wrapper(counter))
            try:
                response = self.get_response(request)
                status = response.status_code
                response[REQUEST_ID_HEADER] = request_id
                return response
            finally:
                self._record(request, status, time.perf_counter() - started, counter.count)

    def _record(self, request: HttpRequest, status: int, seconds: float, db_queries: int) -> None:
        match = request.resolver_match
        route = "/" + match.route if match is not None else metrics.UNMATCHED_ROUTE
        metrics.observe_request(route, request.method or "", status, seconds, db_queries)
        level = logging.ERROR if status >= 500 else logging.INFO
        access_log.log(
            level,
            "%s %s %s",
            request.method,
            request.path,
            status,
            extra={
                # The tenant middleware sits inside this one: its context has ended by now.
                "tenant": getattr(request, "tenant", None) or current_tenant(),
                "http_method": request.method,
                "path": request.path,
                "route": route,
                "status": status,
                "duration_ms": round(seconds * 1000, 2),
                "db_queries": db_queries,
            },
        )


class RejectNulMiddleware:
    """A NUL character in the path or query string is a 400, not a driver error at the first lookup (see parsers)."""

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        query = request.GET.lists()
        if "\x00" in request.path or any("\x00" in key or any("\x00" in v for v in values) for key, values in query):
            message = "The address may not contain NUL (U+0000) characters."
            return problem_response(request, "nul_character", message)
        return self.get_response(request)


# Headers of an error response that still hold for the problem put in its place.
_KEPT_HEADERS = (REQUEST_ID_HEADER, "Allow", "Retry-After", "WWW-Authenticate")


class ApiErrorBodyMiddleware:
    """Errors under the API prefixes answer problem details, whatever produced them.

    Django's handler400/404/500 give that body, but not under DEBUG (its technical 404 and 500
    pages take over, HTML with settings and a traceback, costly to render for a hostile request),
    and not for what it raises outside views: a disallowed Host, a path no route matches. This
    middleware runs ahead of everything that can fail (the kernel puts it right after the probes,
    see apps.py) and replaces any error response under the API prefixes that is not JSON. A JSON
    body is left alone: problem details from the handlers, and GraphQL's own answers.
    """

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not is_api(request):
            return response
        if response.status_code in (201, 202) and "Location" not in response:
            contract_log.error(
                "%s %s answered %s without a Location header; say where the result is (201) or where to follow "
                "the work (202)",
                request.method,
                request.path,
                response.status_code,
            )
        if response.status_code < 400:
            return response
        content_type = response.get("Content-Type", "")
        if content_type.startswith(("application/json", PROBLEM_CONTENT_TYPE)):
            return response
        replacement = error_response(request, response.status_code, request_id=response.get(REQUEST_ID_HEADER))
        for header in _KEPT_HEADERS:
            if header in response:
                replacement[header] = response[header]
        return replacement

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        # A view read `request.body` past DATA_UPLOAD_MAX_MEMORY_SIZE: Django calls that a 400, the API a 413.
        if isinstance(exception, RequestDataTooBig) and is_api(request):
            security_log.warning("%s (%s)", exception, request.path, extra={"status_code": 413})
            return error_response(request, 413, exception)
        return None
