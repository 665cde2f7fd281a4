"""OpenTelemetry tracing: one provider per process, instrumentation of the libraries we use.

Spans are always recorded (so logs carry a trace id); they leave the process only when
`OTEL_EXPORTER_OTLP_ENDPOINT` (or `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`) is set. The
sampler and the rest follow the standard `OTEL_*` environment variables.
"""

from __future__ import annotations

import os
import threading

from opentelemetry import trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import SpanProcessor, TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor

from tenantry_kernel import __version__
from tenantry_kernel.config import getenv

_lock = threading.Lock()
_provider: TracerProvider | None = None


def otlp_endpoint_configured() -> bool:
    return bool(getenv("OTEL_EXPORTER_OTLP_ENDPOINT") or getenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"))


def configure_tracing(service: str, *, django: bool = False) -> TracerProvider:
    """Install the tracer provider and instrument psycopg, requests, redis (and Django).

    Safe to call more than once: the first call wins, later calls return its provider.
    Celery is instrumented per worker process by `tenantry_kernel.celery`.
    """
    global _provider
    with _lock:
        if _provider is not None:
            return _provider
        resource = Resource.create(
            {
                "service.name": getenv("OTEL_SERVICE_NAME", service),
                "service.version": getenv("TENANTRY_VERSION", __version__),
                "service.namespace": "tenantry",
            }
        )
        provider = TracerProvider(resource=resource)
        if otlp_endpoint_configured():
            from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

            provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
        trace.set_tracer_provider(provider)
        _instrument_libraries(django=django)
        _provider = provider
        return provider


def add_span_processor(processor: SpanProcessor) -> None:
    """Attach another processor (tests use an in-memory exporter)."""
    if _provider is None:
        raise RuntimeError("configure_tracing() has not run in this process")
    _provider.add_span_processor(processor)


def _instrument_libraries(*, django: bool) -> None:
    from opentelemetry.instrumentation.psycopg import PsycopgInstrumentor
    from opentelemetry.instrumentation.redis import RedisInstrumentor
    from opentelemetry.instrumentation.requests import RequestsInstrumentor

    PsycopgInstrumentor().instrument(skip_dep_check=True)
    RedisInstrumentor().instrument()
    RequestsInstrumentor().instrument()
    if django:
        from opentelemetry.instrumentation.django import DjangoInstrumentor

        # Probes and scrapes would drown real traffic in span storage.
        os.environ["OTEL_PYTHON_DJANGO_EXCLUDED_URLS"] = getenv("OTEL_PYTHON_DJANGO_EXCLUDED_URLS")
        DjangoInstrumentor().instrument()
