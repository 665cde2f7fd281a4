"""The OpenAPI schema and its docs page: public, on service hosts and on every store's host."""

from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from tenant_app.api import schema  # noqa: F401 - registers the token scheme before a schema is built

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
]
