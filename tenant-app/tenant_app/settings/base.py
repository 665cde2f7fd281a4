"""Settings every environment of the Tenantry tenant app shares."""

from datetime import timedelta
from pathlib import Path

from tenantry_kernel.web.settings import *  # noqa: F403
from tenantry_kernel.web.settings import (
    API_PATH_PREFIXES,
    DJANGO_APPS,
    KERNEL_APPS,
    MIDDLEWARE,
    PROBLEM_MODULES,
    REDIS_URL,
    REST_FRAMEWORK,
    SPECTACULAR_SETTINGS,
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
    "django_filters",
    "tenant_app.tenancy",
    "tenant_app.access",
    "tenant_app.accounts",
    "tenant_app.audit",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "tenant_app.sso",
    "tenant_app.catalog",
    "tenant_app.orders",
    "tenant_app.payments",
    "tenant_app.checkout",
    "tenant_app.invoices",
    "tenant_app.metering",
    "tenant_app.notifications",
    "django_celery_beat",
    "tenant_app.schedules",
]

# Tenancy (tenant_app.tenancy): a process serves one tenant (dedicated, TENANT_SLUG set)
# or every tenant of its shard, picked by host from the shard's routing table (shared).
TENANT_SLUG = env.str("TENANT_SLUG")
TENANCY_MODE = "dedicated" if TENANT_SLUG else "shared"
# Hosts that reach the service itself rather than a tenant (operations, local development).
TENANCY_SERVICE_HOSTS: list[str] = env.list("TENANCY_SERVICE_HOSTS")
TENANCY_ROUTE_TTL = env.float("TENANCY_ROUTE_TTL")
# Shared tier: the shard's worker pool reads the shard's own queue (tenant_app.tenancy.tasks).
if TENANCY_MODE == "shared" and env.str("TENANT_SHARD"):
    CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_DEFAULT_QUEUE", default=f"shard.{env.str('TENANT_SHARD')}")
# Celery Beat keeps its entries in the database (django-celery-beat): per-tenant entries are
# rows (tenant_app.schedules); the one static entry gives new tenants theirs.
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_BEAT_SCHEDULE = {
    "tenantry.schedules.sync": {
        "task": "tenantry.schedules.sync_tenant_schedules",
        "schedule": env.float("SCHEDULES_SYNC_SECONDS"),
    }
}
# Per-tenant schedules (crontabs in the tenant's time zone): the nightly report, invitation reminders.
SCHEDULES_NIGHTLY_REPORT_CRON = env.str("SCHEDULES_NIGHTLY_REPORT_CRON")
SCHEDULES_INVITATION_REMINDER_CRON = env.str("SCHEDULES_INVITATION_REMINDER_CRON")
# The hourly usage report (tenant_app.metering) at minute 5, once the hour before is complete.
SCHEDULES_USAGE_REPORT_CRON = env.str("SCHEDULES_USAGE_REPORT_CRON")
# Handled event ids (tenantry_inbox) are kept this long: far past any redelivery or retry.
SCHEDULES_PRUNE_INBOX_CRON = env.str("SCHEDULES_PRUNE_INBOX_CRON")
EVENTS_INBOX_RETENTION_DAYS = env.int("EVENTS_INBOX_RETENTION_DAYS")
# Invitations not accepted after this many days are reminded once; older ones than the second are left alone.
SCHEDULES_INVITATION_REMINDER_AFTER_DAYS = env.int("SCHEDULES_INVITATION_REMINDER_AFTER_DAYS")
SCHEDULES_INVITATION_REMINDER_WITHIN_DAYS = env.int("SCHEDULES_INVITATION_REMINDER_WITHIN_DAYS")
MIDDLEWARE = [
    *MIDDLEWARE[: MIDDLEWARE.index("django.contrib.sessions.middleware.SessionMiddleware")],
    "tenant_app.tenancy.middleware.TenantMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The language of API messages and emails: Accept-Language among LANGUAGES, else LANGUAGE_CODE.
    "django.middleware.locale.LocaleMiddleware",
    *MIDDLEWARE[MIDDLEWARE.index("django.contrib.sessions.middleware.SessionMiddleware") + 1 :],
]
# Languages the store speaks to shoppers in (API messages, emails, invoices); translations in tenant_app/locale/.
LANGUAGES = [("en", "English"), ("de", "Deutsch")]
LOCALE_PATHS = [str(Path(__file__).resolve().parents[1] / "locale")]

AUTH_USER_MODEL = "accounts.User"
# Seconds a process trusts its cached roles and policies of a tenant before checking for changes.
ACCESS_POLICY_TTL = env.float("ACCESS_POLICY_TTL")
# Front-end pages the account emails link to, on the store's own host.
ACCOUNTS_LINK_PATHS = {
    "verify_email": env.str("ACCOUNTS_VERIFY_EMAIL_PATH"),
    "reset_password": env.str("ACCOUNTS_RESET_PASSWORD_PATH"),
    "accept_invitation": env.str("ACCOUNTS_ACCEPT_INVITATION_PATH"),
}
# Links in mail sent outside a request (scheduled reminders): scheme and port around a store host.
ACCOUNTS_STORE_ORIGIN = env.str("ACCOUNTS_STORE_ORIGIN")
# Role of people who sign themselves up (the storefront's customers).
ACCOUNTS_SIGNUP_ROLE = "customer"

# Real-time notifications (tenant_app.notifications): Channels with Redis pub/sub (lower latency
# than the list-based layer; what a listener misses while away it reads back from the database).
# Groups carry the tenant (tenancy.channels). Tickets stand in for a token where a client cannot send one.
CHANNEL_LAYERS = {
    "default": {
        "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
        "CONFIG": {"hosts": [env.str("CHANNEL_LAYER_URL", default=REDIS_URL)]},
    }
}
NOTIFICATIONS_BACKLOG_LIMIT = env.int("NOTIFICATIONS_BACKLOG_LIMIT")  # sent on resume, oldest first
NOTIFICATIONS_TICKET_TTL = env.int("NOTIFICATIONS_TICKET_TTL")  # seconds
NOTIFICATIONS_SSE_HEARTBEAT = env.float("NOTIFICATIONS_SSE_HEARTBEAT")  # seconds between comments

# Event consumers (`manage.py consume_events NAME`); one queue per consumer group (the shard, or the
# dedicated tenant), bound to the events of the tenants this deployment serves.
EVENT_CONSUMERS = {
    "members": "tenant_app.accounts.events.member_subscription",
    # The storefront cache deletes pages of superseded catalog versions (tenant_app.catalog.cache).
    "storefront-cache": "tenant_app.catalog.consumers.cache_subscription",
}
EVENTS_CONSUMER_GROUP = env.str("EVENTS_CONSUMER_GROUP", default=TENANT_SLUG or "shard-local")

ROOT_URLCONF = "tenant_app.urls"
# GraphQL's transport errors (a bad host, an oversized body, a crash) answer problem details too.
API_PATH_PREFIXES = [*API_PATH_PREFIXES, "/graphql/"]
# Error codes of a package that is not an app (tenantry_kernel.web.problems): GraphQL's own.
PROBLEM_MODULES = [*PROBLEM_MODULES, "tenant_app.graphql.errors"]
ASGI_APPLICATION = "tenant_app.asgi.application"
WSGI_APPLICATION = "tenant_app.wsgi.application"

DATABASES = database_settings(default_name="tenantry_shard_local")
CACHES = cache_settings(key_prefix="ta")
CACHES["default"]["KEY_FUNCTION"] = "tenant_app.tenancy.cache.make_key"
LOGGING = logging_config(SERVICE_NAME)
STATIC_ROOT = env.str("DJANGO_STATIC_ROOT", default=str(BASE_DIR / "staticfiles"))
# Uploaded files live under tenants/<slug>/ and are refused to any other tenant (tenancy.storage).
MEDIA_ROOT = env.str("DJANGO_MEDIA_ROOT", default=str(BASE_DIR / ".local" / "media"))
TENANT_FILE_STORAGE = {"BACKEND": "tenant_app.tenancy.storage.TenantFileSystemStorage"}
STORAGES = {
    "default": TENANT_FILE_STORAGE,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

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
    **({"SIGNING_KEY": env.str("JWT_SIGNING_KEY")} if env.str("JWT_SIGNING_KEY") else {}),
    "ISSUER": "tenantry-tenant-app",
}
# Two-factor (tenantry_kernel.identity.twofactor) counts wrong codes per user and locks them out itself, across
# TOTP and backup codes; django-otp's own per-device back-off would refuse right codes in between.
OTP_TOTP_THROTTLE_FACTOR = 0
# Single sign-on (tenant_app.sso): one JSON object for every tenant, e.g.
# {"google": {"client_id": "…", "client_secret": "…"}, "platform": {"issuer": "https://…", "client_id": …}};
# keys per provider in tenant_app/sso/providers.py. Each store's callback is on its own host.
SSO_PROVIDERS: dict[str, dict[str, str]] = env.json("SSO_PROVIDERS")
SSO_STATE_TTL = env.int("SSO_STATE_TTL")  # seconds a started sign-in may take
SSO_HTTP_TIMEOUT = env.float("SSO_HTTP_TIMEOUT")
# Redirect URIs of native apps (custom schemes) allowed besides the store's own origin.
SSO_APP_REDIRECT_URIS: list[str] = env.list("SSO_APP_REDIRECT_URIS")
# Payments (tenant_app.payments): Fernet keys sealing the stores' gateway secrets, newest first (rotation in
# tenant_app/payments/vault.py); and where each gateway's API is, for stand-ins (empty: the gateway's own).
PAYMENTS_CREDENTIAL_KEYS: list[str] = env.list("PAYMENTS_CREDENTIAL_KEYS")
PAYMENTS_API_BASES: dict[str, str] = env.json("PAYMENTS_API_BASES")
# Catalog (tenant_app.catalog): exchange rates pricing variants in the store's other currencies (empty: sample rates).
CATALOG_EXCHANGE_RATES_FILE = env.str("CATALOG_EXCHANGE_RATES_FILE")
REST_FRAMEWORK = {
    **REST_FRAMEWORK,
    "DEFAULT_AUTHENTICATION_CLASSES": ["tenant_app.accounts.authentication.TenantJWTAuthentication"],
    "EXCEPTION_HANDLER": "tenantry_kernel.web.errors.api_exception_handler",
    # The REST API's frame (tenant_app.api; cursor pages are the kernel's): django-filter plus ?ordering= on
    # the fields a view names, and request budgets per user (or address) and per tenant in Redis.
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "tenant_app.api.filters.OrderingFilter",
    ],
    "DEFAULT_THROTTLE_CLASSES": ["tenant_app.api.throttling.UserThrottle", "tenant_app.api.throttling.TenantThrottle"],
    "DEFAULT_THROTTLE_RATES": {
        "user": env.str("API_RATE_PER_USER"),
        "tenant": env.str("API_RATE_PER_TENANT"),
        # Endpoints that take credentials, codes or send mail, per client address (or user).
        "sign_in": env.str("API_RATE_SIGN_IN"),
        "two_factor": env.str("API_RATE_TWO_FACTOR"),
        "sso": env.str("API_RATE_SSO"),
        "account_email": env.str("API_RATE_ACCOUNT_EMAIL"),
        "account_email_address": env.str("API_RATE_ACCOUNT_EMAIL_ADDRESS"),
    },
    # The client address is REMOTE_ADDR, which uvicorn takes from X-Forwarded-For only when a
    # trusted proxy sent it; DRF would otherwise believe any client's own X-Forwarded-For.
    "NUM_PROXIES": 0,
}
# Every operation answers on a store's host only: an unknown or suspended store's errors (tenant_app.tenancy).
API_EVERY_OPERATION_PROBLEMS = ["tenant_not_found", "tenant_suspended"]
# OpenAPI at /api/schema/, Swagger UI at /api/docs/ (tenantry_kernel.web.openapi and openapi_urls).
SPECTACULAR_SETTINGS = {
    **SPECTACULAR_SETTINGS,
    "TITLE": "Tenantry store API",
    "DESCRIPTION": (
        "The REST API of a Tenantry store, on the store's own host. Errors are RFC 9457 problem details: see `Problem`."
    ),
    "VERSION": "1",
    "ENUM_NAME_OVERRIDES": {
        # Two-factor (tenantry_kernel.identity): names that say what they are, not "StatusEnum".
        "SignInStatus": "tenantry_kernel.identity.models.AbstractPendingSignIn.Kind",
        "SecondFactorMethod": "tenantry_kernel.identity.models.Method",
        "OrderStatus": "tenant_app.orders.models.OrderStatus",
    },
}
