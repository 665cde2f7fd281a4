"""Request budgets per user and per tenant, counted in the shared Redis cache.

Rates are REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["user"] and ["tenant"] (settings, from the
environment). The cache's key function (tenancy.cache.make_key) puts the tenant in every key,
so a key here only names what is counted within its tenant: user ids are per tenant anyway.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rest_framework.throttling import UserRateThrottle

from tenantry_kernel.web.throttling import FixedWindowThrottle

if TYPE_CHECKING:
    from rest_framework.request import Request
    from rest_framework.views import APIView


class UserThrottle(FixedWindowThrottle, UserRateThrottle):
    """A budget per signed-in user (by id), or per client address when anonymous."""

    scope = "user"


class TenantThrottle(FixedWindowThrottle):
    """One budget that all requests of a tenant share; none on service hosts (no tenant)."""

    scope = "tenant"

    def get_cache_key(self, request: Request, view: APIView) -> str | None:
        if not getattr(request, "tenant", None):
            return None
        return self.cache_format % {"scope": self.scope, "ident": "all"}
