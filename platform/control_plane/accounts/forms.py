"""Sign-in forms of the control plane's own pages (the admin, the identity provider): password, then a second factor.

The code is checked by the same lockout, audit and single use as the portal API's challenge
(`tenantry_kernel.identity.twofactor.check_code`), and django-otp marks the session verified.
"""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django_otp.plugins.otp_totp.models import TOTPDevice

from control_plane.accounts.identity import identity, record_account_event
from control_plane.accounts.models import User
from tenantry_kernel.identity.twofactor import WRONG_CODE, TwoFactorLocked, check_code


def otp_token_field(*, required: bool) -> forms.CharField:
    return forms.CharField(
        label="Code from your authenticator app, or a backup code",
        max_length=32,
        required=required,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code"}),
    )


def verify_second_factor(request: HttpRequest, user: User, code: str, *, page: str) -> None:
    """Check `code` for `user` (who enrolled), or raise ValidationError with a machine-readable code.

    On success the confirmed device is attached where django-otp's login signal finds it, so the
    session that `login()` then opens counts as verified (`request.user.is_verified()`).
    """
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        record_account_event(request, f"{page}_sign_in_refused", actor=user, reason="two_factor_not_enabled")
        raise ValidationError(
            "This page needs two-factor authentication: set up an authenticator app in the portal first.",
            code="two_factor_not_enabled",
        )
    if not code:
        raise ValidationError(
            "Enter the code from your authenticator app, or a backup code.", code="two_factor_required"
        )
    try:
        method = check_code(identity, request, user, code)
    except TwoFactorLocked as exc:
        raise ValidationError(str(exc.detail), code="two_factor_locked") from exc
    if method is None:
        raise ValidationError(WRONG_CODE, code="two_factor_code_invalid")
    user.otp_device = device  # type: ignore[attr-defined]  # an attribute django-otp reads, not a model field
    record_account_event(request, f"{page}_sign_in", actor=user, method=method)


class SignInForm(AuthenticationForm):
    """The identity provider's sign-in: the code is asked of everyone who enrolled an authenticator app."""

    otp_token = otp_token_field(required=False)

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean()
        user = cast(User | None, self.get_user())
        if user is not None and TOTPDevice.objects.filter(user=user, confirmed=True).exists():
            verify_second_factor(cast(HttpRequest, self.request), user, cleaned.get("otp_token") or "", page="provider")
        return cleaned
