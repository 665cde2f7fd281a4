"""URL routes of the Tenantry tenant app."""

from django.contrib import admin
from django.urls import include, path

from tenant_app.accounts.identity import identity
from tenant_app.graphql_view import graphql_view
from tenant_app.sso.api.pages import BrowserSignIn
from tenantry_kernel.identity.api.urls import identity_urls
from tenantry_kernel.web.views import service_index

urlpatterns = [
    path("", service_index, name="service-index"),
    path("admin/", admin.site.urls),
    path("api/problems/", include("tenantry_kernel.web.urls")),
    path("api/v1/auth/", include(identity_urls(identity))),
    path("api/v1/", include("tenant_app.accounts.api.urls")),
    path("api/v1/", include("tenant_app.audit.api.urls")),
    path("api/v1/", include("tenant_app.access.api.urls")),
    path("api/v1/", include("tenant_app.sso.api.urls")),
    path("api/v1/", include("tenant_app.catalog.api.urls")),
    path("api/v1/", include("tenant_app.orders.api.urls")),
    path("api/v1/", include("tenant_app.invoices.api.urls")),
    path("api/v1/", include("tenant_app.payments.api.urls")),
    path("api/v1/", include("tenant_app.checkout.api.urls")),
    path("api/v1/", include("tenant_app.notifications.api.urls")),
    path("graphql/", graphql_view, name="graphql"),
    # The store's "sign in with …" for a browser (the portal's "Open store" leads here).
    path("sso/<slug:provider>/", BrowserSignIn.as_view(), name="sso-browser"),
    path("api/", include("tenantry_kernel.web.openapi_urls")),
]

# Errors outside DRF views (unknown paths, bad hosts, crashes) as problem details under /api/.
handler400 = "tenantry_kernel.web.errors.bad_request"
handler403 = "tenantry_kernel.web.errors.permission_denied"
handler404 = "tenantry_kernel.web.errors.not_found"
handler500 = "tenantry_kernel.web.errors.server_error"
