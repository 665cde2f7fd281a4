"""Celery entry point: `celery -A control_plane worker`."""

import os

from tenantry_kernel.celery import create_celery_app

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "control_plane.settings.local")

app = create_celery_app("control_plane")
