"""The identity providers a store offers: platform-wide settings (SSO_PROVIDERS) over built-in defaults."""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any, Literal

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured
from rest_framework.exceptions import NotFound

from tenantry_kernel.context import current_tenant
from tenantry_kernel.provisioning import oidc_client

Protocol = Literal["oidc", "github", "facebook"]

FACEBOOK_GRAPH = "https://graph.facebook.com/v23.0"

# What each provider needs beyond a client id and secret; endpoints are settings so tests (and a
# GitHub Enterprise server) can point elsewhere. The platform's issuer has no default.
DEFAULTS: dict[str, dict[str, str]] = {
    "google": {
        "label": "Google",
        "issuer": "https://accounts.google.com",
        "scope": "openid email profile",
        "token_endpoint_auth_method": "client_secret_basic",
    },
    "platform": {
        "label": "Tenantry",
        "scope": "openid email profile",
        "token_endpoint_auth_method": "client_secret_basic",
    },
    "github": {
        "label": "GitHub",
        "authorize_url": "https://github.com/login/oauth/authorize",
        "token_url": "https://github.com/login/oauth/access_token",
        "api_url": "https://api.github.com",
        "scope": "read:user user:email",
        "token_endpoint_auth_method": "client_secret_post",
    },
    "facebook": {
        "label": "Facebook",
        "authorize_url": "https://www.facebook.com/v23.0/dialog/oauth",
        "token_url": f"{FACEBOOK_GRAPH}/oauth/access_token",
        "api_url": FACEBOOK_GRAPH,
        "scope": "email public_profile",
        "token_endpoint_auth_method": "client_secret_post",
    },
}
PROTOCOLS: dict[str, Protocol] = {"google": "oidc", "platform": "oidc", "github": "github", "facebook": "facebook"}


@dataclass(frozen=True)
class Provider:
    name: str
    label: str
    protocol: Protocol
    client_id: str
    client_secret: str
    scope: str
    token_endpoint_auth_method: str
    issuer: str = ""  # OIDC: endpoints and keys come from its discovery document
    authorize_url: str = ""
    token_url: str = ""
    api_url: str = ""

    @property
    def is_oidc(self) -> bool:
        return self.protocol == "oidc"


_REQUIRED = {"oidc": ("issuer",), "github": ("authorize_url", "token_url", "api_url")}
_REQUIRED["facebook"] = _REQUIRED["github"]
_SETTABLE = {field.name for field in fields(Provider)} - {"name", "protocol"}


# The platform registers each tenant's client with an id and secret derived from the tenant's slug
# (tenantry_kernel.provisioning.oidc_client); this option names the key, instead of one fixed secret.
PER_TENANT_OPTION = "client_secret_key"


def _provider(name: str, options: Any) -> Provider:
    if name not in DEFAULTS:
        raise ImproperlyConfigured(f"SSO_PROVIDERS: unknown provider {name!r}; use one of {sorted(DEFAULTS)}.")
    if isinstance(options, dict) and PER_TENANT_OPTION in options:
        options = _per_tenant_client(name, options)
    elif not isinstance(options, dict) or not options.get("client_id") or not options.get("client_secret"):
        raise ImproperlyConfigured(f"SSO_PROVIDERS[{name!r}] needs a client_id and a client_secret.")
    if unknown := set(options) - _SETTABLE:
        raise ImproperlyConfigured(f"SSO_PROVIDERS[{name!r}]: unknown keys {sorted(unknown)}.")
    values = {key: str(value) for key, value in {**DEFAULTS[name], **options}.items()}
    if missing := [key for key in _REQUIRED[PROTOCOLS[name]] if not values.get(key)]:
        raise ImproperlyConfigured(f"SSO_PROVIDERS[{name!r}] needs {', '.join(missing)}.")
    return Provider(name=name, protocol=PROTOCOLS[name], **values)


def _per_tenant_client(name: str, options: dict[str, Any]) -> dict[str, Any]:
    """The current tenant's own client at the platform: `tenant-<slug>` and HMAC(key, slug) as its secret.

    Outside a tenant (`manage.py check`) there is no client to name: id and secret stay empty.
    """
    if name != "platform":
        raise ImproperlyConfigured(f"SSO_PROVIDERS[{name!r}]: {PER_TENANT_OPTION} is for the platform provider only.")
    if "client_id" in options or "client_secret" in options:
        raise ImproperlyConfigured(
            f"SSO_PROVIDERS[{name!r}]: give either {PER_TENANT_OPTION} (credentials per tenant) "
            "or client_id and client_secret, not both."
        )
    derived = {key: value for key, value in options.items() if key != PER_TENANT_OPTION}
    key, slug = str(options[PER_TENANT_OPTION]), current_tenant()
    try:
        secret = oidc_client.client_secret(key, slug or "")
    except oidc_client.WeakClientKey as exc:
        raise ImproperlyConfigured(f"SSO_PROVIDERS[{name!r}]: {exc}") from None
    if slug:
        derived |= {"client_id": oidc_client.client_id(slug), "client_secret": secret}
    else:
        derived |= {"client_id": "", "client_secret": ""}
    return derived


def configured_providers() -> dict[str, Provider]:
    """Every provider this deployment has a client for (read per call, so settings changes apply).

    One platform-wide set for every tenant; the platform provider's client is the current tenant's own
    when it is configured with a `client_secret_key`.
    """
    return {name: _provider(name, options) for name, options in settings.SSO_PROVIDERS.items()}


def provider_named(name: str) -> Provider:
    provider = configured_providers().get(name)
    if provider is None:
        raise NotFound(f"No sign-in with {name!r} is offered here; see the list of providers.", "sso_provider_unknown")
    return provider


def check_configuration(**kwargs: Any) -> list[checks.CheckMessage]:
    """A malformed SSO_PROVIDERS fails `manage.py check` at deploy time, not a user's sign-in."""
    try:
        configured_providers()
    except ImproperlyConfigured as exc:
        return [checks.Error(str(exc), id="sso.E001")]
    return []
