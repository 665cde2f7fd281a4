"""Settings of the Tenantry tenant app for production."""

from tenant_app.settings.base import *  # noqa: F403
from tenantry_kernel.web.production_settings import *  # noqa: F403

STORAGES = {**STORAGES, "default": TENANT_FILE_STORAGE}
