from django.urls import path

from tenant_app.accounts.api import views

urlpatterns = [
    path("auth/token/", views.SignInView.as_view(), name="auth-token"),
    path("auth/token/refresh/", views.RefreshView.as_view(), name="auth-token-refresh"),
    path("auth/logout/", views.SignOutView.as_view(), name="auth-logout"),
    path("me/", views.MeView.as_view(), name="me"),
]
