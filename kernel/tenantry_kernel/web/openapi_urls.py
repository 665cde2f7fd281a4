"""Routes every Tenantry web service includes at /api/: its OpenAPI schema and the Swagger UI page that reads it.

Public (no token needed, and a stale one is not refused: SPECTACULAR_SETTINGS' SERVE_AUTHENTICATION); the page's
assets are drf-spectacular-sidecar's, served as the project's own static files (no CDN).
"""

from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
]
