"""Request budgets of the identity endpoints (passwords, codes, mail), counted in the shared Redis cache.

Rates are REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"][scope]: "sign_in", "two_factor", "account_email",
"account_email_address". A project whose cache keys carry the tenant (the tenant app) counts per tenant.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rest_framework.throttling import AnonRateThrottle, UserRateThrottle

from tenantry_kernel.identity.models import normalize_email
from tenantry_kernel.web.throttling import FixedWindowThrottle

if TYPE_CHECKING:
    from rest_framework.request import Request
    from rest_framework.views import APIView


class SignInThrottle(FixedWindowThrottle, AnonRateThrottle):
    """Password attempts per client address (the per-user lockout is the second factor's)."""

    scope = "sign_in"


class CodeThrottle(FixedWindowThrottle):
    """Code attempts per user, or per address before sign-in (against guessing across many users); each user's
    lockout is the hard limit."""

    scope = "two_factor"

    def get_cache_key(self, request: Request, view: APIView) -> str:
        user = request.user
        ident = user.pk if user is not None and user.is_authenticated else self.get_ident(request)
        return self.cache_format % {"scope": self.scope, "ident": ident}


class AccountEmailThrottle(FixedWindowThrottle, UserRateThrottle):
    """Mail-sending endpoints, per client address (or signed-in user)."""

    scope = "account_email"


class PerAddressThrottle(FixedWindowThrottle):
    """The same endpoints, per target address, so no one floods one mailbox from many IPs."""

    scope = "account_email_address"

    def get_cache_key(self, request: Request, view: APIView) -> str | None:
        email = request.data.get("email") if hasattr(request.data, "get") else None
        if not isinstance(email, str) or not email:
            return None
        return self.cache_format % {"scope": self.scope, "ident": normalize_email(email)}
