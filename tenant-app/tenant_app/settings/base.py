"""Settings every environment of the Tenantry tenant app shares."""

from datetime import timedelta
from pathlib import Path

from tenantry_kernel.web.settings import *  # noqa: F403
from tenantry_kernel.web.settings import (
    DJANGO_APPS,
    KERNEL_APPS,
    MIDDLEWARE,
    REST_FRAMEWORK,
    cache_settings,
    database_settings,
    env,
    logging_config,
)

SERVICE_NAME = "tenant-app"
BASE_DIR = Path(__file__).resolve().parents[2]

INSTALLED_APPS = [
    *DJANGO_APPS,
    *KERNEL_APPS,
    "rest_framework_simplejwt.token_blacklist",
    "tenant_app.tenancy",
    "tenant_app.access",
    "tenant_app.accounts",
    "tenant_app.audit",
]

# Tenancy (tenant_app.tenancy): a process serves one tenant (dedicated, TENANT_SLUG set)
# or every tenant of its shard, picked by host from the shard's routing table (shared).
TENANT_SLUG = env.str("TENANT_SLUG", default="")
TENANCY_MODE = "dedicated" if TENANT_SLUG else "shared"
# Hosts that reach the service itself rather than a tenant (operations, local development).
TENANCY_SERVICE_HOSTS: list[str] = env.list("TENANCY_SERVICE_HOSTS", default=[])
TENANCY_ROUTE_TTL = env.float("TENANCY_ROUTE_TTL", default=5.0)
MIDDLEWARE = [
    *MIDDLEWARE[: MIDDLEWARE.index("django.contrib.sessions.middleware.SessionMiddleware")],
    "tenant_app.tenancy.middleware.TenantMiddleware",
    *MIDDLEWARE[MIDDLEWARE.index("django.contrib.sessions.middleware.SessionMiddleware") :],
]

AUTH_USER_MODEL = "accounts.User"

ROOT_URLCONF = "tenant_app.urls"
ASGI_APPLICATION = "tenant_app.asgi.application"
WSGI_APPLICATION = "tenant_app.wsgi.application"

DATABASES = database_settings(default_name="tenantry_shard_local")
CACHES = cache_settings(key_prefix="ta")
CACHES["default"]["KEY_FUNCTION"] = "tenant_app.tenancy.cache.make_key"
LOGGING = logging_config(SERVICE_NAME)
STATIC_ROOT = env.str("DJANGO_STATIC_ROOT", default=str(BASE_DIR / "staticfiles"))

# Tokens (djangorestframework-simplejwt): short access tokens, rotating refresh tokens
# with a blacklist; tenant_app.accounts adds the tenant claim and reuse detection.
SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=5),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=14),
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": True,
    "UPDATE_LAST_LOGIN": True,
    "ALGORITHM": "HS256",
    # HS256 with JWT_SIGNING_KEY, or SECRET_KEY when unset (simplejwt's default).
    **({"SIGNING_KEY": env.str("JWT_SIGNING_KEY")} if env.str("JWT_SIGNING_KEY", default="") else {}),
    "ISSUER": "tenantry-tenant-app",
}
REST_FRAMEWORK = {
    **REST_FRAMEWORK,
    "DEFAULT_AUTHENTICATION_CLASSES": ["tenant_app.accounts.authentication.TenantJWTAuthentication"],
    "EXCEPTION_HANDLER": "tenantry_kernel.web.errors.api_exception_handler",
}
