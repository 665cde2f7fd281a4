"""JSON log lines carrying service, request id, tenant and trace id.

Every process (Django, Celery, the operator) calls `configure_logging` or uses
`logging_config` in Django's LOGGING so that all of them write the same shape of line.
"""

from __future__ import annotations

import dataclasses
import datetime
import logging
import logging.config
import os
from typing import Any

from opentelemetry import trace

from tenantry_kernel.context import current_request_id, current_tenant

JSON_FORMATTER = "pythonjsonlogger.json.JsonFormatter"


class ContextFilter(logging.Filter):
    """Stamp each record with the service and the ids of the work in progress."""

    def __init__(self, service: str = "tenantry") -> None:
        super().__init__()
        self.service = service

    def filter(self, record: logging.LogRecord) -> bool:
        record.service = self.service
        if not hasattr(record, "request_id"):
            record.request_id = current_request_id()
        if not hasattr(record, "tenant"):
            record.tenant = current_tenant()
        span_context = trace.get_current_span().get_span_context()
        if span_context.is_valid:
            record.trace_id = format(span_context.trace_id, "032x")
            record.span_id = format(span_context.span_id, "016x")
        else:
            record.trace_id = None
            record.span_id = None
        return True


def json_default(value: Any) -> Any:
    """How values that JSON has no type for appear in log lines.

    Never fails and never deep-copies: python-json-logger's own default turns dataclasses
    into dicts with a deep copy, which breaks on objects holding queues or locks (kopf
    passes its settings as an extra on every per-object log line).
    """
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, set | frozenset | tuple):
        return list(value)
    if isinstance(value, BaseException):
        return f"{type(value).__name__}: {value}"
    if dataclasses.is_dataclass(value):
        return f"<{type(value).__name__}>"
    return str(value)


def logging_config(service: str, level: str | None = None) -> dict[str, Any]:
    """A `logging.config.dictConfig` dictionary: one JSON line per record on stdout."""
    level = (level or os.environ.get("LOG_LEVEL", "INFO")).upper()
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {
            "context": {"()": "tenantry_kernel.logging.ContextFilter", "service": service},
        },
        "formatters": {
            "json": {
                "()": JSON_FORMATTER,
                "fmt": "%(levelname)s %(name)s %(message)s",
                "rename_fields": {"levelname": "level", "name": "logger"},
                "json_default": "ext://tenantry_kernel.logging.json_default",
                "timestamp": True,
            },
        },
        "handlers": {
            "stdout": {
                "class": "logging.StreamHandler",
                "stream": "ext://sys.stdout",
                "formatter": "json",
                "filters": ["context"],
            },
        },
        "root": {"handlers": ["stdout"], "level": level},
        "loggers": {
            # Django's own request logger repeats what our access log says, as a second
            # line per 4xx/5xx; keep only its errors with tracebacks.
            "django.request": {"level": "ERROR"},
            "django.server": {"level": "WARNING"},
            # uvicorn installs its own plain-text handlers; route them through ours.
            "uvicorn": {"level": level},
            "uvicorn.error": {"level": level},
            "uvicorn.access": {"level": "WARNING"},
            "kopf.objects": {"level": level},
            "urllib3": {"level": "WARNING"},
            "amqp": {"level": "WARNING"},
            "kombu": {"level": "WARNING"},
        },
    }


def configure_logging(service: str, level: str | None = None) -> None:
    """Configure the root logger for a process that is not run by Django settings."""
    logging.config.dictConfig(logging_config(service, level))
