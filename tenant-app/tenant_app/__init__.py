"""The Tenantry tenant app (Django project)."""

from tenant_app.celery import app as celery_app

__all__ = ["celery_app"]
