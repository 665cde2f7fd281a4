from django.urls import path
from rest_framework.routers import SimpleRouter

from tenant_app.access.api import views

router = SimpleRouter()
router.register("roles", views.RoleViewSet, basename="role")
router.register("policies", views.PolicyViewSet, basename="policy")

urlpatterns = [
    path("permissions/", views.PermissionCatalogView.as_view(), name="permissions"),
    path("users/<int:user_id>/role/", views.UserRoleView.as_view(), name="user-role"),
    *router.urls,
]
