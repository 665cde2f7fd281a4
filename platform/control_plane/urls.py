"""URL routes of the Tenantry control plane."""

from django.contrib import admin
from django.urls import path

from tenantry_kernel.web.views import service_index

urlpatterns = [
    path("", service_index, name="service-index"),
    path("admin/", admin.site.urls),
]
