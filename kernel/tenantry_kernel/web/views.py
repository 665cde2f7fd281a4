"""Views every Tenantry web service exposes."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_safe

from tenantry_kernel import __version__


@require_safe
def service_index(request: HttpRequest) -> JsonResponse:
    """What this service is and where its operational endpoints are."""
    return JsonResponse(
        {
            "service": settings.SERVICE_NAME,
            "version": __version__,
            "links": {"health": "/healthz", "ready": "/readyz", "metrics": "/metrics", "admin": "/admin/"},
        }
    )
