"""Celery entry point: `celery -A tenant_app worker`."""

import os

from tenantry_kernel.celery import create_celery_app

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tenant_app.settings.local")

# Every task runs as the tenant that enqueued it (tenancy.tasks).
app = create_celery_app("tenant_app", task_cls="tenant_app.tenancy.tasks:TenantTask")
