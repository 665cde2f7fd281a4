"""Settings every environment of the Tenantry control plane shares."""

from pathlib import Path

from tenantry_kernel.web.settings import *  # noqa: F403
from tenantry_kernel.web.settings import (
    DJANGO_APPS,
    KERNEL_APPS,
    REST_FRAMEWORK,
    cache_settings,
    database_settings,
    env,
    logging_config,
)

SERVICE_NAME = "control-plane"
BASE_DIR = Path(__file__).resolve().parents[2]

# One app per concern; each adds itself here (and its routes in control_plane/urls.py).
INSTALLED_APPS = [
    *DJANGO_APPS,
    *KERNEL_APPS,
    "control_plane.accounts",
    "control_plane.audit",
    "control_plane.tenants",
    "control_plane.billing",
]
AUTH_USER_MODEL = "accounts.User"

# Event consumers of the control plane (`manage.py consume_events NAME`).
EVENT_CONSUMERS = {"usage": "control_plane.billing.events.usage_subscription"}

ROOT_URLCONF = "control_plane.urls"
ASGI_APPLICATION = "control_plane.asgi.application"
WSGI_APPLICATION = "control_plane.wsgi.application"

DATABASES = database_settings(default_name="tenantry_platform")
CACHES = cache_settings(key_prefix="cp")
LOGGING = logging_config(SERVICE_NAME)
STATIC_ROOT = env.str("DJANGO_STATIC_ROOT", default=str(BASE_DIR / "staticfiles"))

REST_FRAMEWORK = {
    **REST_FRAMEWORK,
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework_simplejwt.authentication.JWTAuthentication"],
    "EXCEPTION_HANDLER": "tenantry_kernel.web.errors.api_exception_handler",
}
