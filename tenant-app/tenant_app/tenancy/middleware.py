"""Pick the tenant of each request from its host (shared mode) or the process (dedicated)."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.urls import Resolver404, resolve

from tenant_app.tenancy.context import TenantGone, tenant_transaction
from tenant_app.tenancy.routes import routes
from tenantry_kernel.context import bound_tenant
from tenantry_kernel.web.errors import problem_response


class TenantMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if settings.TENANCY_MODE == "dedicated":
            # The connection already is the tenant's role on its schema; requests still get one
            # transaction each, so both tiers behave alike (a crash undoes the request's writes).
            request.tenant = settings.TENANT_SLUG  # type: ignore[attr-defined]
            if _owns_transactions(request):
                with bound_tenant(settings.TENANT_SLUG):
                    return self.get_response(request)
            with bound_tenant(settings.TENANT_SLUG), transaction.atomic():
                return self._respond(request)

        host = request.get_host().rsplit(":", 1)[0].lower()
        if host in settings.TENANCY_SERVICE_HOSTS:
            # The service itself (operations, local development): no tenant.
            request.tenant = None  # type: ignore[attr-defined]
            return self.get_response(request)
        route = routes.lookup(host)
        if route is None:
            return problem_response(request, "tenant_not_found", f"No store is served at {host}; check the address.")
        if route.suspended:
            suspended = problem_response(
                request, "tenant_suspended", "This store is suspended; its owner can resume it in the Tenantry portal."
            )
            suspended["Retry-After"] = "3600"
            return suspended
        request.tenant = route.tenant  # type: ignore[attr-defined]
        try:
            if _owns_transactions(request):
                with bound_tenant(route.tenant):
                    return self.get_response(request)
            with tenant_transaction(route):
                return self._respond(request)
        except TenantGone:
            routes.forget()  # deleted while its route sat in this process's cache
            return problem_response(request, "tenant_not_found", f"No store is served at {host} any more.")

    def _respond(self, request: HttpRequest) -> HttpResponse:
        """The response, inside the request's transaction."""
        response = self.get_response(request)
        if response.status_code >= 500:
            # Django turned a crash into this response inside the transaction: undo its writes.
            transaction.set_rollback(True)
        return response


def _owns_transactions(request: HttpRequest) -> bool:
    """Whether the request's view opens its own short tenant transactions (tenancy.context.tenant_step) instead of
    running in one for the whole request: views that call the outside world (payment gateways) between writes."""
    try:
        match = resolve(request.path_info, getattr(request, "urlconf", None))
    except Resolver404:
        return False
    return bool(getattr(getattr(match.func, "view_class", None), "own_transactions", False))
