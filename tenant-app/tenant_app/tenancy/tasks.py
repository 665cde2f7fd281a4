"""Celery tasks carry the tenant that sent them and run as that tenant.

The publishing side stamps the current tenant into the message headers; `TenantTask`
restores it before the task body runs (role, schema, and the tenant in logs and traces).
A shared-tier worker pool serves every tenant of its shard this way; a dedicated tenant's
worker reads its own vhost and serves only that tenant.
"""

from __future__ import annotations

from typing import Any

from celery import Task, signals

from tenant_app.tenancy.context import as_tenant
from tenantry_kernel.context import current_tenant

TENANT_HEADER = "tenantry_tenant"


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
