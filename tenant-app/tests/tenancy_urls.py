"""A URLconf for the tenancy tests: a view that reports the database identity it runs under."""

from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.urls import path


def whoami(request: HttpRequest) -> JsonResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user, current_schema()")
        user, schema = cursor.fetchone()
    return JsonResponse({"tenant": getattr(request, "tenant", None), "user": user, "schema": schema})


urlpatterns = [path("whoami/", whoami)]
