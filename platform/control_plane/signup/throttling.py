"""Signup budgets per client address and per email, counted in the shared Redis cache.

A fixed-window counter with one atomic increment a request (DRF's own throttles rewrite a
list of timestamps, and concurrent workers overwrite each other's entries).
"""

from __future__ import annotations

import math
import zlib
from typing import TYPE_CHECKING

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle

from control_plane.accounts.models import normalize_email

if TYPE_CHECKING:
    from rest_framework.request import Request
    from rest_framework.views import APIView


class FixedWindowThrottle(SimpleRateThrottle):
    setting = ""
    num_requests: int | None
    duration: int | None
    seconds_left: float = 1.0

    def get_rate(self) -> str | None:
        # Read per request, so a changed setting applies at once.
        rate: str | None = getattr(settings, self.setting) or None
        return rate

    def allow_request(self, request: Request, view: APIView) -> bool:
        limit, duration = self.num_requests, self.duration
        if limit is None or duration is None:
            return True
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
            started = self.cache.add(window_key, 1, timeout=duration)
            count = 1 if started else self.cache.incr(window_key)
        return count <= limit

    def wait(self) -> float:
        return max(1, math.ceil(self.seconds_left))


class SignupPerAddressThrottle(FixedWindowThrottle):
    scope = "signup_ip"
    setting = "SIGNUP_RATE_PER_IP"

    def get_cache_key(self, request: Request, view: APIView) -> str | None:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class SignupPerEmailThrottle(FixedWindowThrottle):
    scope = "signup_email"
    setting = "SIGNUP_RATE_PER_EMAIL"

    def get_cache_key(self, request: Request, view: APIView) -> str | None:
        email = request.data.get("email") if hasattr(request.data, "get") else None
        if not isinstance(email, str) or not email.strip():
            return None
        return self.cache_format % {"scope": self.scope, "ident": normalize_email(email)}


class SlugCheckPerAddressThrottle(SignupPerAddressThrottle):
    """Availability checks (as someone types) have their own, larger budget."""

    scope = "signup_slug_ip"
    setting = "SIGNUP_SLUG_RATE_PER_IP"
