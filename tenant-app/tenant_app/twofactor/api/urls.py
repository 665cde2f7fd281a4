from django.urls import path

from tenant_app.twofactor.api import views

urlpatterns = [
    path("auth/two-factor/", views.ChallengeAnswerView.as_view(), name="auth-two-factor"),
    path("auth/two-factor/enrolment/", views.SignInEnrolmentView.as_view(), name="auth-two-factor-enrolment"),
    path(
        "auth/two-factor/enrolment/confirm/",
        views.SignInEnrolmentConfirmView.as_view(),
        name="auth-two-factor-enrolment-confirm",
    ),
    path("me/two-factor/", views.TwoFactorStatusView.as_view(), name="me-two-factor"),
    path("me/two-factor/totp/", views.TotpEnrolmentView.as_view(), name="me-two-factor-totp"),
    path("me/two-factor/totp/confirm/", views.TotpConfirmView.as_view(), name="me-two-factor-totp-confirm"),
    path("me/two-factor/backup-codes/", views.BackupCodesView.as_view(), name="me-two-factor-backup-codes"),
    path("me/two-factor/disable/", views.DisableView.as_view(), name="me-two-factor-disable"),
]
