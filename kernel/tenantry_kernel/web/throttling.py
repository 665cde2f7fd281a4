"""Request budgets counted in the shared cache (Redis): one fixed-window throttle every project uses."""

from __future__ import annotations

import math
import zlib
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

if TYPE_CHECKING:
    from rest_framework.request import Request
    from rest_framework.views import APIView


class FixedWindowThrottle(SimpleRateThrottle):
    """DRF's rates and keys, counted by one atomic increment a request in fixed windows.

    DRF's throttles read a list of timestamps, add one and write it back: concurrent requests
    (other workers, other pods) overwrite each other's entries, so a shared budget leaks, and
    a budget of thousands a minute copies a list that long on every request. A counter costs
    the same at any rate; the price is up to twice the budget across a window boundary. Each
    key's windows start at their own offset, so budgets do not all renew at once.

    The rate is REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"][scope], or the Django setting named
    by `rate_setting` when a subclass sets one; both are read per request, so overrides apply.
    """

    rate_setting = ""
    num_requests: int | None
    duration: int | None
    seconds_left: float = 1.0

    def get_rate(self) -> str | None:
        if self.rate_setting:
            configured: str | None = getattr(settings, self.rate_setting) or None
            return configured
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


class ClientAddressThrottle(FixedWindowThrottle):
    """A budget per client address (REMOTE_ADDR, or X-Forwarded-For behind REST_FRAMEWORK NUM_PROXIES)."""

    def get_cache_key(self, request: Request, view: APIView) -> str | None:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}
