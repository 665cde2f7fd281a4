"""Routes every Tenantry web service includes at /api/: its OpenAPI schema and the Swagger UI page that reads it.

Public (no token needed, and a stale one is not refused: SPECTACULAR_SETTINGS' SERVE_AUTHENTICATION); the page's
assets are drf-spectacular-sidecar's, served as the project's own static files (no CDN).

The schema is generated once per process (and language): it is a product of the code, which a running process
does not change, and generating it takes a few hundred milliseconds of CPU, which an anonymous client could
otherwise ask for as often as it likes. Changed settings (tests do that) forget the generated schemas.
"""

from __future__ import annotations

import threading
from typing import Any

from django.core.signals import setting_changed
from django.dispatch import receiver
from django.urls import get_urlconf, path
from django.utils import translation
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.request import Request
from rest_framework.response import Response

# At most this many schemas per process (by version and language); beyond, they are generated each time.
MAX_CACHED_SCHEMAS = 8


class SchemaView(SpectacularAPIView):
    _schemas: dict[tuple[str | None, str | None, str], dict[str, Any]] = {}
    _lock = threading.Lock()

    def _get_schema_response(self, request: Request) -> Response:
        version = self.api_version or request.version or self._get_version_parameter(request)  # type: ignore[no-untyped-call]
        key = (version, translation.get_language(), str(get_urlconf()))
        schema = self._schemas.get(key)
        if schema is None:
            generator = self.generator_class(urlconf=self.urlconf, api_version=version, patterns=self.patterns)
            schema = generator.get_schema(request=request, public=self.serve_public)  # type: ignore[no-untyped-call]
            with self._lock:
                if len(self._schemas) < MAX_CACHED_SCHEMAS:
                    self._schemas[key] = schema
        filename = self._get_filename(request, version)  # type: ignore[no-untyped-call]
        return Response(data=schema, headers={"Content-Disposition": f'inline; filename="{filename}"'})


@receiver(setting_changed)
def _forget_schemas(**_: Any) -> None:
    with SchemaView._lock:
        SchemaView._schemas.clear()


urlpatterns = [
    path("schema/", SchemaView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
]
