"""Routes of portal accounts, under /api/v1/auth/."""

from django.urls import path

from control_plane.accounts.api import views

urlpatterns = [
    path("login/", views.SignInView.as_view(), name="auth-login"),
    path("login/2fa/", views.ChallengeAnswerView.as_view(), name="auth-login-2fa"),
    path("login/2fa/enrolment/", views.SignInEnrolmentView.as_view(), name="auth-login-2fa-enrolment"),
    path(
        "login/2fa/enrolment/confirm/",
        views.SignInEnrolmentConfirmView.as_view(),
        name="auth-login-2fa-enrolment-confirm",
    ),
    path("refresh/", views.RefreshView.as_view(), name="auth-refresh"),
    path("logout/", views.SignOutView.as_view(), name="auth-logout"),
    path("verify-email/", views.VerifyEmailView.as_view(), name="auth-verify-email"),
    path("resend-verification/", views.ResendVerificationView.as_view(), name="auth-resend-verification"),
    path("me/", views.MeView.as_view(), name="auth-me"),
    path("sessions/", views.SessionListView.as_view(), name="auth-sessions"),
    path("sessions/<uuid:session_id>/", views.SessionDetailView.as_view(), name="auth-session"),
    path("2fa/", views.TwoFactorStatusView.as_view(), name="auth-2fa"),
    path("2fa/enrol/", views.TotpEnrolView.as_view(), name="auth-2fa-enrol"),
    path("2fa/confirm/", views.TotpConfirmView.as_view(), name="auth-2fa-confirm"),
    path("2fa/backup-codes/", views.BackupCodesView.as_view(), name="auth-2fa-backup-codes"),
    path("2fa/disable/", views.TwoFactorDisableView.as_view(), name="auth-2fa-disable"),
]
