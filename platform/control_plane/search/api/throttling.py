"""Per-IP budgets of the anonymous search API, counted in the shared cache (Redis) in fixed windows."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rest_framework.settings import api_settings

from tenantry_kernel.web.throttling import ClientAddressThrottle

if TYPE_CHECKING:
    from rest_framework.request import Request


class SearchIPThrottle(ClientAddressThrottle):
    """`rate_setting` requests per window and client IP.

    The client is the connection's address; X-Forwarded-For counts only behind the configured
    number of trusted proxies (REST_FRAMEWORK NUM_PROXIES), or anyone could pick a fresh budget.
    """

    rate_setting = "SEARCH_RATE_PER_IP"
    scope = "search"

    def get_ident(self, request: Request) -> str:
        if api_settings.NUM_PROXIES is None:
            return str(request.META.get("REMOTE_ADDR", ""))
        return super().get_ident(request)


class AutocompleteIPThrottle(SearchIPThrottle):
    rate_setting = "SEARCH_AUTOCOMPLETE_RATE_PER_IP"
    scope = "search-autocomplete"
