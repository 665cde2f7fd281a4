"""URL routes of the Tenantry control plane."""

from django.urls import include, path

from control_plane import admin_site
from control_plane.accounts.identity import identity
from control_plane.search.api.urls import directory_urlpatterns
from tenantry_kernel.identity.api.urls import identity_urls
from tenantry_kernel.web.views import service_index

urlpatterns = [
    path("", service_index, name="service-index"),
    path("admin/", admin_site.site.urls),
    path("api/problems/", include("tenantry_kernel.web.urls")),
    path("api/v1/auth/", include(identity_urls(identity))),
    path("o/", include("control_plane.oidc.urls")),
    path("api/v1/", include("control_plane.signup.api.urls")),
    path("api/v1/", include("control_plane.tenants.api.urls")),
    path("api/v1/", include("control_plane.billing.api.urls")),
    path("api/v1/search/", include("control_plane.search.api.urls")),
    path("api/v1/directory/", include(directory_urlpatterns)),
    path("api/", include("tenantry_kernel.web.openapi_urls")),
]

# Errors outside DRF views (unknown paths, bad hosts, crashes) as problem details under /api/.
handler400 = "tenantry_kernel.web.errors.bad_request"
handler403 = "tenantry_kernel.web.errors.permission_denied"
handler404 = "tenantry_kernel.web.errors.not_found"
handler500 = "tenantry_kernel.web.errors.server_error"
