"""Settings every environment of the Tenantry control plane shares."""

from datetime import timedelta
from pathlib import Path

from control_plane.oidc.keys import local_client_key, signing_keys
from tenantry_kernel.config import getenv
from tenantry_kernel.web.settings import *  # noqa: F403
from tenantry_kernel.web.settings import (
    DJANGO_APPS,
    KERNEL_APPS,
    MIDDLEWARE,
    REST_FRAMEWORK,
    SPECTACULAR_SETTINGS,
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
    "rest_framework_simplejwt.token_blacklist",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "control_plane.audit",
    "control_plane.tenants",
    "control_plane.signup",
    "control_plane.billing",
    "djstripe",
    "oauth2_provider",
    "control_plane.oidc",
    "django.contrib.postgres",  # search: OpClass in index expressions, full-text and trigram lookups
    "control_plane.search",
]
AUTH_USER_MODEL = "accounts.User"

# Event consumers of the control plane (`manage.py consume_events NAME`).
EVENT_CONSUMERS = {
    "usage": "control_plane.billing.events.usage_subscription",
    "search": "control_plane.search.events.search_subscription",
}

ROOT_URLCONF = "control_plane.urls"
ASGI_APPLICATION = "control_plane.asgi.application"
WSGI_APPLICATION = "control_plane.wsgi.application"

DATABASES = database_settings(default_name="tenantry_platform")
CACHES = cache_settings(key_prefix="cp")
LOGGING = logging_config(SERVICE_NAME)
STATIC_ROOT = env.str("DJANGO_STATIC_ROOT", default=str(BASE_DIR / "staticfiles"))

REST_FRAMEWORK = {
    **REST_FRAMEWORK,
    "DEFAULT_AUTHENTICATION_CLASSES": ["control_plane.accounts.authentication.PortalJWTAuthentication"],
    "EXCEPTION_HANDLER": "tenantry_kernel.web.errors.api_exception_handler",
}
# OpenAPI at /api/schema/, Swagger UI at /api/docs/ (tenantry_kernel.web.openapi and openapi_urls).
SPECTACULAR_SETTINGS = {
    **SPECTACULAR_SETTINGS,
    "TITLE": "Tenantry platform API",
    "DESCRIPTION": (
        "The control plane's REST API: signup, the portal (stores, members, invitations, billing), platform "
        "operations and the marketplace search. Errors are RFC 9457 problem details: see `Problem`."
    ),
    "VERSION": "1",
    "ENUM_NAME_OVERRIDES": {"PlanName": "control_plane.tenants.models.Plan"},
}

# Billing (control_plane.billing): Stripe through dj-stripe. Keys come from the environment only.
STRIPE_SECRET_KEY = env.str("STRIPE_SECRET_KEY")
STRIPE_PUBLIC_KEY = env.str("STRIPE_PUBLIC_KEY")
STRIPE_LIVE_MODE = env.bool("STRIPE_LIVE_MODE")
# The signing secret of the webhook endpoint registered at Stripe (whsec_...).
STRIPE_WEBHOOK_SECRET = env.str("STRIPE_WEBHOOK_SECRET")
if env.str("STRIPE_API_HOST"):
    # A stand-in Stripe (localstripe) for local mode; dj-stripe warns when it is set in production.
    STRIPE_API_HOST = env.str("STRIPE_API_HOST")
DJSTRIPE_FOREIGN_KEY_TO_FIELD = "id"
DJSTRIPE_USE_NATIVE_JSONFIELD = True
# Days a tenant keeps working after a failed payment before it is suspended.
BILLING_GRACE_DAYS = env.int("BILLING_GRACE_DAYS")
# The issuer named on invoice PDFs.
BILLING_ISSUER = env.str("BILLING_ISSUER")
# The control plane's own task queue, apart from the tenant app's on a shared broker.
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_DEFAULT_QUEUE", default="control-plane")
# Celery Beat: the dunning sweep suspends tenants whose grace period ended unpaid.
CELERY_BEAT_SCHEDULE = {
    "billing-suspend-overdue-tenants": {"task": "billing.suspend_overdue_tenants", "schedule": 3600.0},
}

# OpenID Connect provider (control_plane.oidc, django-oauth-toolkit): tenant apps sign portal users in.
# RS256 keys: OIDC_RSA_PRIVATE_KEY (PEM) or OIDC_RSA_PRIVATE_KEY_FILE signs; retired keys stay in the JWKS
# (OIDC_RSA_PRIVATE_KEYS_INACTIVE, concatenated PEMs, or OIDC_RSA_PRIVATE_KEYS_INACTIVE_FILES, comma-separated
# paths). Without a configured key, and unless OIDC_LOCAL_KEYS=false, one is generated at first use into
# .local/oidc/ (never committed; `manage.py generate_oidc_key --rotate-local` rotates it).
OIDC_LOCAL_KEY_DIR = Path(env.str("OIDC_LOCAL_KEY_DIR", default=str(BASE_DIR.parent / ".local" / "oidc")))
# Production never makes its own keys (each pod would sign with another) and sends codes over https only.
_OIDC_PRODUCTION = getenv("DJANGO_SETTINGS_MODULE", default="").endswith(".production")
_OIDC_LOCAL_KEYS = env.bool("OIDC_LOCAL_KEYS", default=not _OIDC_PRODUCTION)
_OIDC_SIGNING_KEY, _OIDC_RETIRED_KEYS = signing_keys(
    active_pem=env.str("OIDC_RSA_PRIVATE_KEY"),
    active_file=env.str("OIDC_RSA_PRIVATE_KEY_FILE"),
    inactive_pems=env.str("OIDC_RSA_PRIVATE_KEYS_INACTIVE"),
    inactive_files=env.list("OIDC_RSA_PRIVATE_KEYS_INACTIVE_FILES"),
    local_dir=OIDC_LOCAL_KEY_DIR if _OIDC_LOCAL_KEYS else None,
)
OAUTH2_PROVIDER = {
    "OIDC_ENABLED": True,
    "OIDC_RSA_PRIVATE_KEY": _OIDC_SIGNING_KEY,
    "OIDC_RSA_PRIVATE_KEYS_INACTIVE": _OIDC_RETIRED_KEYS,
    # The issuer; without it, derived from the request's origin (`<origin>/o`).
    "OIDC_ISS_ENDPOINT": env.str("OIDC_ISSUER"),
    "OAUTH2_VALIDATOR_CLASS": "control_plane.oidc.validators.PlatformOAuth2Validator",
    "SCOPES": {
        "openid": "Sign you in",
        "email": "See your email address",
        "profile": "See your name",
    },
    "DEFAULT_SCOPES": ["openid"],
    "PKCE_REQUIRED": True,
    "ALLOWED_REDIRECT_URI_SCHEMES": env.list(
        "OIDC_REDIRECT_URI_SCHEMES", default=["https"] if _OIDC_PRODUCTION else ["http", "https"]
    ),
    "ACCESS_TOKEN_EXPIRE_SECONDS": env.int("OIDC_ACCESS_TOKEN_SECONDS"),
    "REFRESH_TOKEN_EXPIRE_SECONDS": env.int("OIDC_REFRESH_TOKEN_SECONDS"),
    "ID_TOKEN_EXPIRE_SECONDS": 300,
    "AUTHORIZATION_CODE_EXPIRE_SECONDS": 60,
    # Each refresh hands out a new refresh token; presenting a used one again revokes the whole family.
    "ROTATE_REFRESH_TOKEN": True,
    "REFRESH_TOKEN_REUSE_PROTECTION": True,
    "OIDC_TOKEN_ENDPOINT_AUTH_METHODS_SUPPORTED": ["client_secret_basic", "client_secret_post"],
    # RFC 9700 (OAuth 2.0 Security BCP): no implicit or password grant, S256 only, tokens never in a query
    # string, `iss` in the authorization response, tokens stored hashed; the config gates become errors.
    **dict.fromkeys(
        [
            "COMPLIANT_BCP_RFC9700_IMPLICIT_GRANT",
            "COMPLIANT_BCP_RFC9700_PASSWORD_GRANT",
            "COMPLIANT_BCP_RFC9700_PKCE_METHOD",
            "COMPLIANT_BCP_RFC9700_ACCESS_TOKEN_TRANSPORT",
            "COMPLIANT_BCP_RFC9700_AUTHZ_RESPONSE_ISS",
            "COMPLIANT_BCP_RFC9700_TOKEN_STORAGE",
            "COMPLIANT_BCP_RFC9700_REFRESH_TOKEN",
            "COMPLIANT_BCP_RFC9700_REDIRECT_URI_MATCHING",
            "COMPLIANT_BCP_RFC9700_PKCE_REQUIRED",
        ],
        True,
    ),
}
# The key every tenant app's client secret derives from (tenantry_kernel.provisioning.oidc_client); the
# tenant-app deployment gets the same key in SSO_PROVIDERS["platform"]["client_secret_key"].
PLATFORM_SSO_CLIENT_KEY = env.str(
    "PLATFORM_SSO_CLIENT_KEY", default=local_client_key(OIDC_LOCAL_KEY_DIR) if _OIDC_LOCAL_KEYS else ""
)

# Global search (control_plane.search): "postgres" (full text in the control plane's database) or
# "elasticsearch" (ELASTICSEARCH_URL; indices and templates named SEARCH_INDEX_PREFIX-*).
SEARCH_BACKEND = env.str("SEARCH_BACKEND")
ELASTICSEARCH_URL = env.str("ELASTICSEARCH_URL")
SEARCH_INDEX_PREFIX = env.str("SEARCH_INDEX_PREFIX")
# Per-IP budgets of the anonymous search API ("<n>/<second|minute|hour|day>").
SEARCH_RATE_PER_IP = env.str("SEARCH_RATE_PER_IP")
SEARCH_AUTOCOMPLETE_RATE_PER_IP = env.str("SEARCH_AUTOCOMPLETE_RATE_PER_IP")

# Tenants (control_plane.tenants): who provisions them, and how local mode reaches the shard and broker.
# "local": the provisioning library run by the control plane's worker; "kubernetes": Tenant resources.
TENANT_PROVISIONER = env.str("TENANT_PROVISIONER")
SHARD_ADMIN_DSN = env.str(
    "SHARD_ADMIN_DSN",
    default=f"host={env.str('PGHOST')} port={env.str('PGPORT')} "
    f"user={env.str('PGUSER')} dbname={env.str('TENANT_APP_DB')}",
)
TENANT_APP_MANAGE_PY = env.str("TENANT_APP_MANAGE_PY", default=str(BASE_DIR.parent / "tenant-app" / "manage.py"))
TENANT_APP_SETTINGS_MODULE = env.str("TENANT_APP_SETTINGS_MODULE")
# Empty: one per shard database (tenantry_kernel.provisioning.database.template_clone.template_role_for).
TENANT_TEMPLATE_ROLE = env.str("TENANT_TEMPLATE_ROLE")
# The shard's shared tenant-app role granted each tenant's role (empty: it connects as a superuser).
TENANT_ROUTER_ROLE = env.str("TENANT_ROUTER_ROLE")
TENANT_SECRETS_DIR = env.str("TENANT_SECRETS_DIR", default=str(BASE_DIR.parent / ".local" / "tenant-secrets"))
TENANT_BASE_DOMAIN = env.str("TENANT_BASE_DOMAIN", default="localhost")
TENANT_URL_TEMPLATE = env.str("TENANT_URL_TEMPLATE")
# The shard's member-events queue (tenant_app.accounts.events.member_subscription), bound per tenant.
TENANT_MEMBER_EVENTS_QUEUE = env.str("TENANT_MEMBER_EVENTS_QUEUE")
BROKER_ADMIN_URL = env.str("TENANTRY_BROKER_ADMIN_URL")
KUBERNETES_API_URL = env.str("KUBERNETES_API_URL")
KUBERNETES_API_TOKEN = env.str("KUBERNETES_API_TOKEN")
TENANT_PROVISIONING_RETRIES = env.int("TENANT_PROVISIONING_RETRIES")
TENANT_PROVISIONING_BACKOFF = env.int("TENANT_PROVISIONING_BACKOFF")
TENANT_INVITATION_DAYS = env.int("TENANT_INVITATION_DAYS")
PORTAL_INVITATION_URL = env.str("PORTAL_INVITATION_URL")
# Signup (control_plane.signup): budgets per client address and per email ("<n>/<second|minute|hour|day>").
SIGNUP_RATE_PER_IP = env.str("SIGNUP_RATE_PER_IP")
SIGNUP_RATE_PER_EMAIL = env.str("SIGNUP_RATE_PER_EMAIL")
SIGNUP_SLUG_RATE_PER_IP = env.str("SIGNUP_SLUG_RATE_PER_IP")
# A store's live provisioning stream (control_plane.tenants.api.stream): its tickets, heartbeat and bounds.
TENANT_EVENTS_TICKET_TTL = env.int("TENANT_EVENTS_TICKET_TTL")  # seconds
TENANT_EVENTS_HEARTBEAT = env.float("TENANT_EVENTS_HEARTBEAT")  # seconds between comments
TENANT_EVENTS_MAX_SECONDS = env.int("TENANT_EVENTS_MAX_SECONDS")
TENANT_EVENTS_PER_USER = env.int("TENANT_EVENTS_PER_USER")  # open streams per user, across processes

# Portal accounts (control_plane.accounts, on tenantry_kernel.identity like the tenant app's): simplejwt pairs of
# the audience "portal" (a tenant app's token is refused here, and a portal token there), rotating refresh tokens
# whose reuse revokes the session.
SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=env.int("PORTAL_ACCESS_TOKEN_MINUTES")),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=env.int("PORTAL_REFRESH_TOKEN_DAYS")),
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": True,
    "UPDATE_LAST_LOGIN": True,
    "ALGORITHM": "HS256",
    # HS256 with JWT_SIGNING_KEY, or SECRET_KEY when unset (simplejwt's default).
    **({"SIGNING_KEY": env.str("JWT_SIGNING_KEY")} if env.str("JWT_SIGNING_KEY") else {}),
    "ISSUER": "tenantry-control-plane",
    "AUDIENCE": "portal",
}
# Two-factor counts wrong codes per user and locks them out itself (tenantry_kernel.identity.twofactor);
# django-otp's own per-device back-off would refuse right codes in between.
OTP_TOTP_THROTTLE_FACTOR = 0
# request.user.is_verified() (a second factor passed in this session), which the admin requires.
MIDDLEWARE = [
    *MIDDLEWARE[: MIDDLEWARE.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1],
    "django_otp.middleware.OTPMiddleware",
    *MIDDLEWARE[MIDDLEWARE.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1 :],
]
# The portal's front end, where emailed links lead (empty: the origin the request reached the API at).
PORTAL_URL = env.str("PORTAL_URL")
ACCOUNTS_LINK_PATHS = {
    "verify_email": env.str("ACCOUNTS_VERIFY_EMAIL_PATH"),
    "reset_password": env.str("ACCOUNTS_RESET_PASSWORD_PATH"),
}
# Budgets of the endpoints that take passwords or codes or send mail, per client address (or user), in Redis.
REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] = {
    **REST_FRAMEWORK.get("DEFAULT_THROTTLE_RATES", {}),
    "sign_in": env.str("API_RATE_SIGN_IN"),
    "two_factor": env.str("API_RATE_TWO_FACTOR"),
    "account_email": env.str("API_RATE_ACCOUNT_EMAIL"),
    "account_email_address": env.str("API_RATE_ACCOUNT_EMAIL_ADDRESS"),
}
