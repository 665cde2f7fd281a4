"""Celery tasks carry the tenant that sent them and run as that tenant.

The publishing side stamps the current tenant into the message headers (`TENANT_HEADER`;
`tenantry_kernel.celery.enqueue_on_commit` captures it at enqueue time, and Celery Beat's
per-tenant schedules carry it in their `headers`); `TenantTask` restores it before the task
body runs: role, schema, and the tenant in logs and traces.

Where the work runs:
- dedicated tier: the tenant's worker and beat use the tenant's own RabbitMQ vhost as broker
  (`BROKER_URL` from the tenant's broker Secret) and serve only that tenant.
- shared tier: one worker pool (and one beat) per database shard serves every tenant routed
  on it. The pool reads the shard's own queue, `shard.<shard>` (`shard_queue`), which is the
  default queue when `TENANT_SHARD` is set (or `CELERY_DEFAULT_QUEUE` names another), so the
  pools of several shards can share one broker vhost without taking each other's work.
"""

from __future__ import annotations

from typing import Any

from celery import Task, signals

from tenant_app.tenancy.context import as_tenant
from tenantry_kernel.celery import TENANT_HEADER
from tenantry_kernel.context import current_tenant

__all__ = ["TENANT_HEADER", "TenantTask", "shard_queue"]


def shard_queue(shard: str) -> str:
    """The Celery queue of a shard's shared worker pool."""
    return f"shard.{shard}"


@signals.before_task_publish.connect(weak=False)
def _stamp_tenant(headers: dict[str, Any] | None = None, **_: Any) -> None:
    tenant = current_tenant()
    if headers is not None and tenant and TENANT_HEADER not in headers:
        headers[TENANT_HEADER] = tenant


class TenantTask(Task):  # type: ignore[type-arg]
    """Runs as the tenant whose request (or task) enqueued it; without one, as the service."""

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        tenant = getattr(self.request, TENANT_HEADER, None)
        if not tenant:
            return super().__call__(*args, **kwargs)
        with as_tenant(tenant):
            return super().__call__(*args, **kwargs)
