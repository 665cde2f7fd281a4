"""The identity API's routes, bound to one project's Identity; a project serves them under /api/v1/auth/:

path("api/v1/auth/", include(identity_urls(identity)))
"""

from __future__ import annotations

from django.urls import URLPattern, path

from tenantry_kernel.identity.api import views
from tenantry_kernel.identity.config import Identity


def identity_urls(identity: Identity) -> list[URLPattern]:
    def route(pattern: str, view: type[views.IdentityEndpoint], name: str) -> URLPattern:
        return path(pattern, view.as_view(identity=identity), name=f"auth-{name}")

    return [
        route("sign-in/", views.SignInView, "sign-in"),
        route("sign-in/challenge/", views.ChallengeAnswerView, "sign-in-challenge"),
        route("sign-in/enrolment/", views.SignInEnrolmentView, "sign-in-enrolment"),
        route("sign-in/enrolment/confirm/", views.SignInEnrolmentConfirmView, "sign-in-enrolment-confirm"),
        route("refresh/", views.RefreshView, "refresh"),
        route("sign-out/", views.SignOutView, "sign-out"),
        route("me/", views.MeView, "me"),
        route("sessions/", views.SessionListView, "sessions"),
        route("sessions/<uuid:session_id>/", views.SessionDetailView, "session"),
        route("two-factor/", views.TwoFactorStatusView, "two-factor"),
        route("two-factor/totp/", views.TotpEnrolmentView, "two-factor-totp"),
        route("two-factor/totp/confirm/", views.TotpConfirmView, "two-factor-totp-confirm"),
        route("two-factor/backup-codes/", views.BackupCodesView, "two-factor-backup-codes"),
        route("two-factor/disable/", views.TwoFactorDisableView, "two-factor-disable"),
        route("email/verify/", views.VerifyEmailView, "email-verify"),
        route("email/verification/", views.EmailVerificationRequestView, "email-verification"),
        route("password/", views.PasswordChangeView, "password"),
        route("password/reset/", views.PasswordResetRequestView, "password-reset"),
        route("password/reset/confirm/", views.PasswordResetView, "password-reset-confirm"),
    ]
