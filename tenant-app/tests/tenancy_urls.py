"""A URLconf for the tenancy tests: the database identity a request runs under, and a crash after a write."""

from django.contrib.auth import get_user_model
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.urls import path


def whoami(request: HttpRequest) -> JsonResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user, current_schema()")
        user, schema = cursor.fetchone()
    return JsonResponse({"tenant": getattr(request, "tenant", None), "user": user, "schema": schema})


def write_then_crash(request: HttpRequest) -> JsonResponse:
    get_user_model().objects.create_user("half-done@example.test")
    raise RuntimeError("the view fails after writing")


urlpatterns = [path("whoami/", whoami), path("write-then-crash/", write_then_crash)]
