from django.urls import path
from rest_framework.routers import SimpleRouter

from tenant_app.accounts.api import me, users, views

router = SimpleRouter(trailing_slash=True)
router.register("users", users.UserViewSet, basename="user")

urlpatterns = [
    path("auth/token/", views.SignInView.as_view(), name="auth-token"),
    path("auth/token/refresh/", views.RefreshView.as_view(), name="auth-token-refresh"),
    path("auth/logout/", views.SignOutView.as_view(), name="auth-logout"),
    path("auth/register/", me.RegisterView.as_view(), name="auth-register"),
    path("auth/email/verify/", me.VerifyEmailView.as_view(), name="auth-email-verify"),
    path("auth/password/reset/", me.PasswordResetRequestView.as_view(), name="auth-password-reset"),
    path("auth/password/reset/confirm/", me.PasswordResetView.as_view(), name="auth-password-reset-confirm"),
    path("me/", me.MeView.as_view(), name="me"),
    path("me/email/verification/", me.EmailVerificationRequestView.as_view(), name="me-email-verification"),
    path("me/password/", me.PasswordChangeView.as_view(), name="me-password"),
    path("me/sessions/", me.MySessionList.as_view(), name="me-sessions"),
    path("me/sessions/<uuid:session_id>/", me.MySessionDetail.as_view(), name="me-session"),
    *router.urls,
]
