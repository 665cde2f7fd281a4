"""Celery application factory shared by the Django projects, and the habits every task follows.

Tasks are traced (the OpenTelemetry context travels in the message headers, so a task's
spans join the trace of the request that sent it) and log in the same JSON shape as web
requests. Work is sent only once the transaction that decided it commits
(`enqueue_on_commit`), carries the tenant it is for (`TENANT_HEADER`), and retries transient
failures with exponential backoff and full jitter (`transient_retries`).
"""

from __future__ import annotations

from typing import Any

from celery import Celery, Signature, Task, signals
from django.db import DEFAULT_DB_ALIAS, transaction
from django.db.utils import InterfaceError, OperationalError
from opentelemetry.instrumentation.celery import CeleryInstrumentor

from tenantry_kernel.context import current_tenant

# Message header naming the tenant a task is for; the tenant app's worker runs the task as it.
TENANT_HEADER = "tenantry_tenant"

# Failures worth trying again later: the network, a server restarting, a dropped database
# connection (OSError covers ConnectionError, TimeoutError, socket and SMTP errors).
TRANSIENT_ERRORS: tuple[type[BaseException], ...] = (OSError, OperationalError, InterfaceError)


def create_celery_app(main: str, task_cls: str | None = None) -> Celery:
    """A Celery app configured from Django settings (`CELERY_*`) with task autodiscovery."""
    app = Celery(main, task_cls=task_cls) if task_cls else Celery(main)
    app.config_from_object("django.conf:settings", namespace="CELERY")
    app.autodiscover_tasks()
    # Connects to Celery's publish and task signals; the tracer provider itself is set
    # up by Django's app registry (and re-armed after fork by the SDK).
    CeleryInstrumentor().instrument()  # type: ignore[no-untyped-call]
    return app


def transient_retries(
    *errors: type[BaseException],
    max_retries: int = 8,
    backoff: int = 2,
    backoff_max: int = 600,
) -> dict[str, Any]:
    """Task options that retry `errors` (default: TRANSIENT_ERRORS) with exponential backoff and full jitter.

    The n-th retry waits a random time between 0 and min(backoff * 2**n, backoff_max)
    seconds, so a fleet of tasks that failed together does not come back together. Use as
    `@shared_task(**transient_retries(SMTPException))`. A task that keeps failing stops after
    `max_retries` and is acknowledged as failed (logged), not redelivered forever.
    """
    return {
        "autoretry_for": errors or TRANSIENT_ERRORS,
        "retry_backoff": backoff,
        "retry_backoff_max": backoff_max,
        "retry_jitter": True,
        "max_retries": max_retries,
    }


def enqueue_on_commit(
    task: Task[Any, Any] | Signature[Any], *args: Any, using: str = DEFAULT_DB_ALIAS, **kwargs: Any
) -> None:
    """Send `task(*args, **kwargs)` once the current transaction commits; never if it rolls back.

    Pass a signature (`task.s(...).set(queue=...)`) for options; extra `args` go before the
    signature's own, as with any Celery partial. The tenant is read now, at enqueue time, and
    written into the message headers: the commit callback may run after the code that bound
    the tenant has returned (an outer transaction commits later). Outside a transaction the
    task is sent at once.
    """
    signature = task if isinstance(task, Signature) else task.s()
    headers: dict[str, Any] = dict(signature.options.get("headers") or {})
    if (tenant := current_tenant()) and TENANT_HEADER not in headers:
        headers[TENANT_HEADER] = tenant

    def send() -> None:
        signature.apply_async(args, kwargs, headers=headers)

    transaction.on_commit(send, using=using)


@signals.setup_logging.connect(weak=False)
def _keep_django_logging(**_: Any) -> None:
    # Any receiver of this signal stops Celery from replacing the logging that Django's
    # LOGGING (our JSON lines) set up.
    return None
