"""Request budgets of the identity endpoints (passwords, codes, mail), counted in the shared Redis cache.

Rates are REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"][scope]: "sign_in", "two_factor", "account_email",
"account_email_address". A project whose cache keys carry the tenant (the tenant app) counts per tenant.
"""

from __future__ import annotations

import math
import zlib
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ImproperlyConfigured
from rest_framework.settings import api_settings
from rest_framework.throttling import AnonRateThrottle, SimpleRateThrottle, UserRateThrottle

from tenantry_kernel.identity.models import normalize_email

if TYPE_CHECKING:
    from rest_framework.request import Request
    from rest_framework.views import APIView


class FixedWindowThrottle(SimpleRateThrottle):
    """DRF's rates and keys, counted by one atomic increment a request in fixed windows.

    DRF's throttles read a list of timestamps, add one and write it back: concurrent requests
    (other workers, other pods) overwrite each other's entries, so a shared budget leaks, and
    a budget of thousands a minute copies a list that long on every request. A counter costs
    the same at any rate; the price is up to twice the budget across a window boundary. Each
    key's windows start at their own offset, so tenants' budgets do not all renew at once.
    """

    num_requests: int | None
    duration: int | None
    seconds_left: float

    def get_rate(self) -> str | None:
        # Read when the throttle is made (each request), not once at import as DRF does.
        rates: dict[str, Any] = api_settings.DEFAULT_THROTTLE_RATES
        if self.scope not in rates:
            raise ImproperlyConfigured(f"Set REST_FRAMEWORK['DEFAULT_THROTTLE_RATES'][{self.scope!r}].")
        rate: str | None = rates[self.scope]
        return rate

    def allow_request(self, request: Request, view: APIView) -> bool:
        limit, duration = self.num_requests, self.duration
        if limit is None or duration is None:
            return True  # no limit configured for this scope
        key = self.get_cache_key(request, view)
        if key is None:
            return True
        elapsed = self.timer() - zlib.crc32(key.encode()) % duration
        window, into_window = divmod(elapsed, duration)
        self.seconds_left = duration - into_window
        window_key = f"{key}:{int(window)}"
        try:
            count: int = self.cache.incr(window_key)
        except ValueError:
            # The window's first request (Django's incr refuses a missing key), unless another
            # request started the window in between.
            started = self.cache.add(window_key, 1, timeout=duration)
            count = 1 if started else self.cache.incr(window_key)
        return count <= limit

    def wait(self) -> float:
        return max(1, math.ceil(self.seconds_left))


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
