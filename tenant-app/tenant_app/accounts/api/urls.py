"""The workspace's own account routes under /api/v1/: customers' sign-up, the members, and the
signed-in shopper's address book (me/addresses/). Signing in, sessions,
two-factor and emailed links are the kernel's identity API (tenantry_kernel.identity.api), under /api/v1/auth/."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from tenant_app.accounts.api import addresses, users, views

router = SimpleRouter(trailing_slash=True)
router.register("users", users.UserViewSet, basename="user")
router.register("me/addresses", addresses.AddressViewSet, basename="address")

urlpatterns = [
    path("auth/register/", views.RegisterView.as_view(), name="auth-register"),
    *router.urls,
]
