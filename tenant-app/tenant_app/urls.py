"""URL routes of the Tenantry tenant app."""

from django.contrib import admin
from django.urls import include, path

from tenantry_kernel.web.views import service_index

urlpatterns = [
    path("", service_index, name="service-index"),
    path("admin/", admin.site.urls),
    path("api/v1/", include("tenant_app.accounts.api.urls")),
    path("api/v1/", include("tenant_app.audit.api.urls")),
]
