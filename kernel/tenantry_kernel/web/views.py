"""Views every Tenantry web service exposes: its index, and the documentation of its error codes."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_safe

from tenantry_kernel import __version__
from tenantry_kernel.web.errors import problem_response
from tenantry_kernel.web.problems import PROBLEM_PATH, all_problems, problem


@require_safe
def service_index(request: HttpRequest) -> JsonResponse:
    """What this service is and where its operational endpoints are."""
    return JsonResponse(
        {
            "service": settings.SERVICE_NAME,
            "version": __version__,
            "links": {
                "health": "/healthz",
                "ready": "/readyz",
                "metrics": "/metrics",
                "admin": "/admin/",
                "problems": PROBLEM_PATH,
            },
        }
    )


@require_safe
def problem_list(request: HttpRequest) -> JsonResponse:
    """The error codes this service answers with: each one's type, status, title and description."""
    return JsonResponse({"problems": [entry.as_dict() for entry in all_problems()]})


@require_safe
def problem_detail(request: HttpRequest, code: str) -> JsonResponse:
    """The documentation of one problem type, the target of the `type` of an error body."""
    entry = problem(code)
    if entry is None:
        detail = f"There is no problem type {code!r}; GET {PROBLEM_PATH} lists them all."
        return problem_response(request, "not_found", detail)
    return JsonResponse(entry.as_dict())
