"""Settings shared by Tenantry's Django projects, read from the environment (12-factor).

A project's `settings/base.py` star-imports this module, then names itself and calls the
helpers below for what differs (database name, cache prefix, service name).

Every variable read here is declared, with its type, default and meaning, in
`tenantry_kernel/config/catalog.py`; docs/configuration.md lists them.
"""

from __future__ import annotations

from typing import Any

from tenantry_kernel.config import env, getenv
from tenantry_kernel.logging import logging_config

DEBUG = env.bool("DJANGO_DEBUG", default=False)
SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="")
ALLOWED_HOSTS: list[str] = env.list("DJANGO_ALLOWED_HOSTS", default=[])
CSRF_TRUSTED_ORIGINS: list[str] = env.list("DJANGO_CSRF_TRUSTED_ORIGINS")

DJANGO_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
]
KERNEL_APPS = [
    "tenantry_kernel.web.apps.TenantryWebConfig",
    "tenantry_kernel.events",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
]

MIDDLEWARE = [
    "tenantry_kernel.web.middleware.ProbeMiddleware",
    "tenantry_kernel.web.middleware.ApiErrorBodyMiddleware",
    "tenantry_kernel.web.middleware.RequestContextMiddleware",
    "tenantry_kernel.web.middleware.RejectNulMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "tenantry_kernel.identity.passwords.NotOnlyWhitespaceValidator"},
]

# Argon2id for new passwords; PBKDF2 hashes still verify and are upgraded at next login.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env.str("REDIS_URL")
CELERY_BROKER_URL = env.str("BROKER_URL")
# At-least-once: a message is acknowledged when its task has finished, so a worker that dies
# (or a pool process killed mid-task) leaves it to be delivered again; tasks are idempotent.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# A task that raised or hit its time limit is acknowledged, not redelivered: the same input
# would fail the same way forever. Transient failures retry explicitly (kernel transient_retries).
CELERY_TASK_ACKS_ON_FAILURE_OR_TIMEOUT = True
# Running tasks are redelivered when the broker connection drops; cancel them rather than
# let them finish twice.
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = True
# One message at a time per process: a long task never sits on messages others could run.
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Seconds: the soft limit raises SoftTimeLimitExceeded in the task (time to clean up), the hard
# one kills its process. Both stay below RabbitMQ's consumer timeout (30 min) for unacked messages.
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT")
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT")
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_DEFAULT_QUEUE", default="celery")
# Kernel modules with tasks every worker runs: none now (mail tasks are the projects', tenantry_kernel.mail).
CELERY_IMPORTS: list[str] = []

# Outgoing mail (tenantry_kernel.mail): any SMTP server; locally the console.
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env.str("EMAIL_HOST")
EMAIL_PORT = env.int("EMAIL_PORT")
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS")
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL")
# Seconds an emailed account link (confirm the address, reset the password: tenantry_kernel.identity.links) stays
# valid; Django's token generator reads it when the link is used.
PASSWORD_RESET_TIMEOUT = env.int("PASSWORD_RESET_TIMEOUT")

# Events (tenantry_kernel.events): the platform vhost holding the `tenantry.events` topic exchange,
# which the relay publishes to and consumers read from.
EVENTS_BROKER_URL = env.str("EVENTS_BROKER_URL")
# The relay publishes as its own broker user (the AMQP user_id consumers check); same URL by default.
EVENTS_PUBLISH_URL = env.str("EVENTS_PUBLISH_URL") or EVENTS_BROKER_URL
# The broker users consumers believe (tenantry_kernel.events.trust): the platform's publishers, which
# alone may emit member, tenant and billing events, and the shard relays, which publish tenants' outboxes.
EVENTS_PLATFORM_PUBLISHERS: list[str] = env.list("EVENTS_PLATFORM_PUBLISHERS")
EVENTS_RELAY_PUBLISHERS: list[str] = env.list("EVENTS_RELAY_PUBLISHERS")

READINESS_TIMEOUT = env.float("READINESS_TIMEOUT")
METRICS_TOKEN = env.str("METRICS_TOKEN")

# Request limits (tenantry_kernel.web.parsers; docs/configuration.md). No endpoint takes uploads: the
# largest bodies are Stripe's events, tens of KB. A longer body is refused with 413, a JSON body nested
# deeper with 400 before it is parsed (parsers and serializers recurse once per level).
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DJANGO_DATA_UPLOAD_MAX_MEMORY_SIZE")
REQUEST_JSON_MAX_DEPTH = env.int("REQUEST_JSON_MAX_DEPTH")
# Paths whose errors answer problem details (tenantry_kernel.web.errors), DEBUG or not.
API_PATH_PREFIXES: list[str] = ["/api/"]
# Modules with error codes (`PROBLEMS`) besides every installed app's `errors` (tenantry_kernel.web.problems):
# the identity API's, which both projects serve.
PROBLEM_MODULES: list[str] = ["tenantry_kernel.identity.errors"]

REST_FRAMEWORK: dict[str, Any] = {
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["tenantry_kernel.web.parsers.TextJSONParser"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "UNAUTHENTICATED_USER": None,
    # Every list in cursor pages; the OpenAPI schema with error responses and Location (tenantry_kernel.web.openapi).
    "DEFAULT_PAGINATION_CLASS": "tenantry_kernel.web.pagination.CursorPage",
    "DEFAULT_SCHEMA_CLASS": "tenantry_kernel.web.openapi.AutoSchema",
}
# Problem codes every operation of a project may answer whatever it does (documented on each in the schema).
API_EVERY_OPERATION_PROBLEMS: list[str] = []
# OpenAPI (drf-spectacular) at /api/schema/, Swagger UI at /api/docs/ (tenantry_kernel.web.openapi_urls); a
# project adds its TITLE, DESCRIPTION and VERSION.
SPECTACULAR_SETTINGS: dict[str, Any] = {
    "SCHEMA_PATH_PREFIX": r"/api/v[0-9]+",
    "COMPONENT_SPLIT_REQUEST": True,
    "SERVE_INCLUDE_SCHEMA": False,
    # Public: no token needed, and a stale one is not refused.
    "SERVE_AUTHENTICATION": [],
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "tenantry_kernel.web.openapi.add_problem_component",
    ],
    # Swagger UI's assets come from drf-spectacular-sidecar, served as the project's own static files.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
}


def database_settings(default_name: str) -> dict[str, dict[str, Any]]:
    """DATABASES with one `default` alias, from DATABASE_URL or the libpq variables."""
    if getenv("DATABASE_URL"):
        database: dict[str, Any] = env.db_url("DATABASE_URL")
    else:
        database = {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": getenv("PGDATABASE", default_name),
            "HOST": getenv("PGHOST"),
            "PORT": getenv("PGPORT"),
            "USER": getenv("PGUSER"),
            "PASSWORD": getenv("PGPASSWORD"),
        }
    database.setdefault("OPTIONS", {})
    database["OPTIONS"].setdefault("connect_timeout", env.int("DATABASE_CONNECT_TIMEOUT"))
    database["OPTIONS"].setdefault("application_name", getenv("OTEL_SERVICE_NAME", default_name))
    # 0: closed at the end of each request. Under ASGI every request runs in a thread of its own,
    # so persistent connections pile up one per thread (Django's docs say as much); reuse comes
    # from the pool (DATABASE_POOL_SIZE) instead. Workers and consumers may set a max age.
    database["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE")
    database["CONN_HEALTH_CHECKS"] = True
    if pool_size := env.int("DATABASE_POOL_SIZE"):
        # Under ASGI each request thread would keep a connection of its own and exhaust the
        # role's limit under load; a pool shares `pool_size` of them across the process.
        database["OPTIONS"]["pool"] = {"min_size": 1, "max_size": pool_size, "timeout": 10}
        database["CONN_MAX_AGE"] = 0
    if getenv("DATABASE_POOLER") == "pgbouncer":
        # Transaction pooling hands each transaction to any server connection:
        # server-side prepared statements and cursors would land on the wrong one.
        database["OPTIONS"]["prepare_threshold"] = None
        database["DISABLE_SERVER_SIDE_CURSORS"] = True
    return {"default": database}


def cache_settings(key_prefix: str) -> dict[str, dict[str, Any]]:
    return {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": key_prefix,
            "TIMEOUT": 300,
        }
    }


__all__ = [
    "ALLOWED_HOSTS",
    "API_EVERY_OPERATION_PROBLEMS",
    "API_PATH_PREFIXES",
    "AUTH_PASSWORD_VALIDATORS",
    "CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP",
    "CELERY_BROKER_URL",
    "CELERY_IMPORTS",
    "CELERY_TASK_ACKS_LATE",
    "CELERY_TASK_ACKS_ON_FAILURE_OR_TIMEOUT",
    "CELERY_TASK_DEFAULT_QUEUE",
    "CELERY_TASK_REJECT_ON_WORKER_LOST",
    "CELERY_TASK_SOFT_TIME_LIMIT",
    "CELERY_TASK_TIME_LIMIT",
    "CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS",
    "CELERY_WORKER_HIJACK_ROOT_LOGGER",
    "CELERY_WORKER_PREFETCH_MULTIPLIER",
    "CSRF_TRUSTED_ORIGINS",
    "DATA_UPLOAD_MAX_MEMORY_SIZE",
    "DEBUG",
    "DEFAULT_AUTO_FIELD",
    "DEFAULT_FROM_EMAIL",
    "DJANGO_APPS",
    "EMAIL_BACKEND",
    "EMAIL_HOST",
    "EMAIL_HOST_PASSWORD",
    "EMAIL_HOST_USER",
    "EMAIL_PORT",
    "EMAIL_TIMEOUT",
    "EMAIL_USE_TLS",
    "EVENTS_BROKER_URL",
    "EVENTS_PLATFORM_PUBLISHERS",
    "EVENTS_PUBLISH_URL",
    "EVENTS_RELAY_PUBLISHERS",
    "KERNEL_APPS",
    "LANGUAGE_CODE",
    "METRICS_TOKEN",
    "MIDDLEWARE",
    "PASSWORD_HASHERS",
    "PASSWORD_RESET_TIMEOUT",
    "PROBLEM_MODULES",
    "READINESS_TIMEOUT",
    "REDIS_URL",
    "REQUEST_JSON_MAX_DEPTH",
    "REST_FRAMEWORK",
    "SECRET_KEY",
    "SPECTACULAR_SETTINGS",
    "STATIC_URL",
    "TEMPLATES",
    "TIME_ZONE",
    "USE_I18N",
    "USE_TZ",
    "cache_settings",
    "database_settings",
    "env",
    "logging_config",
]
