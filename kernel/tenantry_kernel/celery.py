"""Celery application factory shared by the Django projects.

Tasks are traced (the OpenTelemetry context travels in the message headers, so a task's
spans join the trace of the request that sent it) and log in the same JSON shape as web
requests.
"""

from __future__ import annotations

from typing import Any

from celery import Celery, signals
from opentelemetry.instrumentation.celery import CeleryInstrumentor


def create_celery_app(main: str, task_cls: str | None = None) -> Celery:
    """A Celery app configured from Django settings (`CELERY_*`) with task autodiscovery."""
    app = Celery(main, task_cls=task_cls) if task_cls else Celery(main)
    app.config_from_object("django.conf:settings", namespace="CELERY")
    app.autodiscover_tasks()
    # Connects to Celery's publish and task signals; the tracer provider itself is set
    # up by Django's app registry (and re-armed after fork by the SDK).
    CeleryInstrumentor().instrument()  # type: ignore[no-untyped-call]
    return app


@signals.setup_logging.connect(weak=False)
def _keep_django_logging(**_: Any) -> None:
    # Any receiver of this signal stops Celery from replacing the logging that Django's
    # LOGGING (our JSON lines) set up.
    return None
