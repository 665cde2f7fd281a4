"""A tenant's client at the platform's OpenID Connect provider, derived from its slug on both sides.

The control plane registers `client_id(slug)` with `client_secret(key, slug)` when it provisions a
tenant; the shared tenant-app deployment computes the same pair per request from the same key
(PLATFORM_SSO_CLIENT_KEY), so no per-tenant secret has to be stored or shipped anywhere.
"""

from __future__ import annotations

import hashlib
import hmac

CLIENT_ID_PREFIX = "tenant-"
# Where the tenant app takes the provider's redirect (tenant_app/sso/api/urls.py, under /api/v1/).
CALLBACK_PATH = "api/v1/auth/sso/platform/callback/"
MIN_KEY_LENGTH = 32


class WeakClientKey(ValueError):
    """The key every client secret is derived from is missing or too short to be a secret."""


def client_id(slug: str) -> str:
    return f"{CLIENT_ID_PREFIX}{slug}"


def client_secret(key: str, slug: str) -> str:
    """HMAC-SHA256(key, slug) in hex: knowing one tenant's secret tells nothing of another's, or of the key."""
    if len(key) < MIN_KEY_LENGTH:
        raise WeakClientKey(
            f"PLATFORM_SSO_CLIENT_KEY must be at least {MIN_KEY_LENGTH} characters of random data "
            f"(e.g. `python -c 'import secrets; print(secrets.token_urlsafe(48))'`), not {len(key)}."
        )
    return hmac.new(key.encode(), slug.encode(), hashlib.sha256).hexdigest()


def redirect_uris(tenant_url: str) -> list[str]:
    """The callback on the tenant's host(s); `tenant_url` is where the workspace answers, e.g. `http://a.localhost/`."""
    if not tenant_url:
        return []
    return [f"{tenant_url.rstrip('/')}/{CALLBACK_PATH}"]
