"""Settings every environment of the Tenantry tenant app shares."""

from pathlib import Path

from tenantry_kernel.web.settings import *  # noqa: F403
from tenantry_kernel.web.settings import (
    DJANGO_APPS,
    KERNEL_APPS,
    cache_settings,
    database_settings,
    env,
    logging_config,
)

SERVICE_NAME = "tenant-app"
BASE_DIR = Path(__file__).resolve().parents[2]

INSTALLED_APPS = [*DJANGO_APPS, *KERNEL_APPS]

ROOT_URLCONF = "tenant_app.urls"
ASGI_APPLICATION = "tenant_app.asgi.application"
WSGI_APPLICATION = "tenant_app.wsgi.application"

DATABASES = database_settings(default_name="tenantry_shard_local")
CACHES = cache_settings(key_prefix="ta")
LOGGING = logging_config(SERVICE_NAME)
STATIC_ROOT = env.str("DJANGO_STATIC_ROOT", default=str(BASE_DIR / "staticfiles"))
