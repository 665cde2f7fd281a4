"""Routes the web contract (tenantry_kernel.testing.web_contract) puts in place of a project's own.

Under the project's settings (its parsers, exception handler, middleware), a DRF view that reads a
JSON body and a view that crashes: every error the API can meet, without a project's throttles or data.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.urls import include, path
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView


class Echo(APIView):
    authentication_classes: list[Any] = []
    permission_classes: list[Any] = []
    throttle_classes: list[Any] = []

    def post(self, request: Request) -> Response:
        return Response({"received": request.data})


def crash(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("the web contract's crash")


urlpatterns = [
    path("api/contract/echo/", Echo.as_view()),
    path("api/contract/crash/", crash),
    path("api/problems/", include("tenantry_kernel.web.urls")),
]

handler400 = "tenantry_kernel.web.errors.bad_request"
handler403 = "tenantry_kernel.web.errors.permission_denied"
handler404 = "tenantry_kernel.web.errors.not_found"
handler500 = "tenantry_kernel.web.errors.server_error"
