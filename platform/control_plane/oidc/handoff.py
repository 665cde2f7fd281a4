"""The portal's "Open store": a signed-in portal session becomes a provider session, once, for one store.

The portal keeps its session in its own server (bearer tokens, control_plane.accounts), while the provider's
authorization endpoint (/o/authorize/) knows people by Django's session cookie on the issuer's origin. The
portal's server asks for a hand-off with the member's bearer token (`issue`); the browser then follows the
hand-off URL on the issuer's origin, where `redeem` signs the person in to the provider and sends them to
the store, whose own sign-in through the provider then needs no password.

A code is random (256 bits), stored only as its digest, good for `TTL` seconds and for one use; it names the
person and the store, and the store's address comes from the tenant, never from the request (no open
redirect). The one cross-site effect left is login CSRF: someone could send their own fresh code to a victim,
who would then be signed in to the store as that someone; the store's landing page names who is signed in.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from django.urls import reverse

from control_plane.accounts.models import User
from control_plane.tenants import selectors
from control_plane.tenants.models import Membership, Tenant, TenantState

TTL = 60
# The tenant app's page that starts a browser sign-in through the platform (tenant_app/sso/views.py).
STORE_SIGN_IN_PATH = "sso/platform/"


@dataclass(frozen=True)
class Handoff:
    user_id: int
    slug: str


def _key(code: str) -> str:
    return f"oidc:handoff:{hashlib.sha256(code.encode()).hexdigest()}"


def issue(membership: Membership) -> str:
    """A new single-use code for the member to open their store with."""
    code = secrets.token_urlsafe(32)
    cache.set(_key(code), {"user_id": membership.user_id, "slug": membership.tenant.slug}, timeout=TTL)
    return code


def redeem(code: str) -> tuple[User, Tenant] | None:
    """The (active user, ready tenant they still belong to) of an unused, unexpired code; None otherwise.

    The code is gone afterwards whatever the outcome: of two racing requests only the one whose delete
    removed the entry goes on.
    """
    if not code or len(code) > 100:
        return None
    key = _key(code)
    stored = cache.get(key)
    if not isinstance(stored, dict) or not cache.delete(key):
        return None
    user = User.objects.filter(pk=stored["user_id"], is_active=True).first()
    if user is None:
        return None
    membership = selectors.membership_of(user, stored["slug"])
    if membership is None or membership.tenant.state != TenantState.READY or not membership.tenant.url:
        return None
    return user, membership.tenant


def store_sign_in_url(tenant: Tenant) -> str:
    return f"{tenant.url.rstrip('/')}/{STORE_SIGN_IN_PATH}"


def handoff_url(request: HttpRequest, code: str) -> str:
    """On the issuer's origin (where /o/authorize/ reads the session cookie), else on the request's own."""
    path = reverse("oauth2_provider:handoff")
    issuer = str(settings.OAUTH2_PROVIDER.get("OIDC_ISS_ENDPOINT") or "").rstrip("/")
    base = f"{issuer}/{path.removeprefix('/o/').lstrip('/')}" if issuer else request.build_absolute_uri(path)
    return f"{base}?code={code}"
