"""Per-IP budgets of the anonymous search API, counted in the shared cache (Redis) in fixed windows."""

from __future__ import annotations

import zlib
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.cache import cache
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

if TYPE_CHECKING:
    from rest_framework.request import Request
    from rest_framework.views import APIView


class SearchIPThrottle(SimpleRateThrottle):
    """`rate_setting` requests per window and client IP.

    One atomic increment per request: DRF's own throttles rewrite a list of timestamps,
    which concurrent requests on several workers overwrite (the budget leaks). The client
    is the connection's address; X-Forwarded-For counts only behind the configured number
    of trusted proxies (REST_FRAMEWORK NUM_PROXIES), or anyone could pick a fresh budget.
    """

    rate_setting = "SEARCH_RATE_PER_IP"
    scope = "search"
    num_requests: int | None
    duration: int | None
    seconds_left: float = 0.0

    def get_rate(self) -> str | None:
        # Read when the throttle is made (each request), so settings overrides apply.
        rate: str | None = getattr(settings, self.rate_setting)
        return rate

    def get_ident(self, request: Request) -> str:
        if api_settings.NUM_PROXIES is None:
            return str(request.META.get("REMOTE_ADDR", ""))
        return super().get_ident(request)

    def get_cache_key(self, request: Request, view: APIView) -> str:
        return f"search-throttle:{self.scope}:{self.get_ident(request)}"

    def allow_request(self, request: Request, view: APIView) -> bool:
        limit, duration = self.num_requests, self.duration
        if limit is None or duration is None:
            return True
        key = self.get_cache_key(request, view)
        # Each key's windows start at their own offset, so budgets do not all renew at one instant.
        elapsed = self.timer() - zlib.crc32(key.encode()) % duration
        window, into_window = divmod(elapsed, duration)
        self.seconds_left = duration - into_window
        window_key = f"{key}:{int(window)}"
        cache.add(window_key, 0, timeout=duration + 1)
        try:
            count = int(cache.incr(window_key))
        except ValueError:  # expired between add and incr
            cache.add(window_key, 1, timeout=duration + 1)
            count = 1
        return count <= limit

    def wait(self) -> float | None:
        return self.seconds_left


class AutocompleteIPThrottle(SearchIPThrottle):
    rate_setting = "SEARCH_AUTOCOMPLETE_RATE_PER_IP"
    scope = "search-autocomplete"
