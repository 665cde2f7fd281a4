"""Every state change of two-factor authentication: enrol, answer a challenge, regenerate backup codes, disable.

The mechanics (lockout, backup codes as keyed hashes, one use per TOTP step) are the kernel's
(tenantry_kernel.identity.twofactor); these bind them to the workspace's models, tenant and audit log.
"""

from __future__ import annotations

from django.http import HttpRequest

from tenant_app.accounts.identity import identity
from tenant_app.accounts.models import User
from tenantry_kernel.identity import twofactor
from tenantry_kernel.identity.tokens import TokenPair
from tenantry_kernel.identity.twofactor import (
    BACKUP_CODE_COUNT,
    LOCKOUT_AFTER,
    LOCKOUT_FOR,
    WRONG_CODE,
    CodeInvalid,
    EnrolledSignIn,
    TotpEnrolment,
    TwoFactorLocked,
)

__all__ = [
    "BACKUP_CODE_COUNT",
    "LOCKOUT_AFTER",
    "LOCKOUT_FOR",
    "WRONG_CODE",
    "CodeInvalid",
    "EnrolledSignIn",
    "TotpEnrolment",
    "TwoFactorLocked",
]


def begin_totp_enrolment(request: HttpRequest, user: User) -> TotpEnrolment:
    """A new, unconfirmed authenticator for the user; it counts once `confirm_totp` has seen a code from it."""
    return twofactor.begin_totp_enrolment(identity, request, user)


def confirm_totp(request: HttpRequest, user: User, code: str) -> list[str]:
    """Turn two-factor on with the first code from the new authenticator; the backup codes, shown this once."""
    return twofactor.confirm_totp(identity, request, user, code)


def answer_challenge(request: HttpRequest, challenge: str, code: str) -> TokenPair:
    """The second step of signing in: a right code ends the challenge and starts the session."""
    return twofactor.answer_challenge(identity, request, challenge, code)


def begin_enrolment_for_sign_in(request: HttpRequest, challenge: str) -> TotpEnrolment:
    """A user whose role requires two-factor and who has none sets it up before their first session."""
    return twofactor.begin_enrolment_for_sign_in(identity, request, challenge)


def confirm_enrolment_for_sign_in(request: HttpRequest, challenge: str, code: str) -> EnrolledSignIn:
    return twofactor.confirm_enrolment_for_sign_in(identity, request, challenge, code)


def regenerate_backup_codes(request: HttpRequest, user: User, code: str) -> list[str]:
    """New backup codes for a current authenticator code; the old ones stop working."""
    return twofactor.regenerate_backup_codes(identity, request, user, code)


def disable(request: HttpRequest, user: User, code: str) -> None:
    """Turn two-factor off, proven with a current code (or a backup code, for a lost phone)."""
    twofactor.disable(identity, request, user, code)
