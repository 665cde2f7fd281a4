"""Every state change of two-factor authentication: enrol, answer a challenge, regenerate backup codes, disable.

Each user's checks and changes run one at a time under a lock on their `Lockout` row; that also makes a TOTP
time step and a backup code count once when two requests race with the same code.
"""

from __future__ import annotations

import re
import secrets
from base64 import b32encode
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import quote, urlencode

import segno
from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework import status
from rest_framework.exceptions import APIException, AuthenticationFailed, Throttled

from tenant_app.accounts.actions import TokenPair, start_session
from tenant_app.accounts.models import User
from tenant_app.audit.actions import record_security_event
from tenant_app.audit.models import AuditEventType
from tenant_app.twofactor import selectors
from tenant_app.twofactor.challenges import challenge_ended, pending_sign_in
from tenant_app.twofactor.models import BackupCode, Lockout, Method, PendingSignIn
from tenantry_kernel.web.exceptions import Conflict

LOCKOUT_AFTER = 5
LOCKOUT_FOR = timedelta(minutes=15)
BACKUP_CODE_COUNT = 10
# RFC 4648 base32: 10 characters are 50 random bits, shown as "xxxxx-xxxxx".
_BACKUP_ALPHABET = "abcdefghijklmnopqrstuvwxyz234567"
_BACKUP_CODE = re.compile(r"[a-z2-7]{10}")
_TOTP_CODE = re.compile(r"[0-9]{6}")
_BACKUP_CODE_SALT = "tenantry.twofactor.backup_code"
WRONG_CODE = (
    "That code is wrong or was already used; enter the current code from your authenticator app "
    "or an unused backup code."
)


class CodeInvalid(APIException):
    """A wrong code where the caller is signed in already (their session is fine, the code is not)."""

    status_code = status.HTTP_400_BAD_REQUEST
    default_detail = WRONG_CODE
    default_code = "two_factor_code_invalid"


class TwoFactorLocked(Throttled):
    default_detail = "Too many wrong codes in a row: codes are refused for a while."
    default_code = "two_factor_locked"


@dataclass(frozen=True)
class TotpEnrolment:
    """What an authenticator app needs: the otpauth URI, as a QR code, and its secret for typing in by hand."""

    otpauth_uri: str
    qr_code: str
    secret: str


@dataclass(frozen=True)
class EnrolledSignIn:
    backup_codes: list[str]
    tokens: TokenPair

    def as_dict(self) -> dict[str, object]:
        return {"backup_codes": self.backup_codes, **self.tokens.as_dict()}


def begin_totp_enrolment(request: HttpRequest, user: User) -> TotpEnrolment:
    """A new, unconfirmed authenticator for the user; it counts once `confirm_totp` has seen a code from it."""
    with transaction.atomic():
        _lock(user)
        if selectors.has_authenticator(user):
            # Else a stolen access token could swap the victim's authenticator for the thief's.
            raise Conflict(
                "Two-factor authentication is on already; turn it off first to set up another authenticator app.",
                code="two_factor_already_enabled",
            )
        # Starting over replaces a set-up never confirmed (a QR code scanned by no one, or by the wrong phone).
        TOTPDevice.objects.filter(user=user, confirmed=False).delete()
        device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)
    secret = b32encode(device.bin_key).decode().rstrip("=")
    uri = _otpauth_uri(secret, issuer=request.get_host().rsplit(":", 1)[0], account=user.email, device=device)
    return TotpEnrolment(otpauth_uri=uri, qr_code=segno.make(uri, error="m").svg_data_uri(scale=4), secret=secret)


def confirm_totp(request: HttpRequest, user: User, code: str) -> list[str]:
    """Turn two-factor on with the first code from the new authenticator; the backup codes, shown this once."""
    with transaction.atomic():
        _lock(user)
        device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-id").first()
        if device is None:
            raise Conflict(
                "No authenticator app is waiting for confirmation; start setting one up first.",
                code="two_factor_enrolment_not_started",
            )
        # Not counted towards the lockout: whoever calls this was just given the secret, there is nothing to guess.
        code = _normalize(code)
        if not (_TOTP_CODE.fullmatch(code) and device.verify_token(code)):
            raise CodeInvalid("That code is wrong; enter the code your authenticator app shows now.")
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        codes = _replace_backup_codes(user)
        record_security_event(request, AuditEventType.TWO_FACTOR_ENABLED, actor=user, method=Method.TOTP)
    return codes


def answer_challenge(request: HttpRequest, challenge: str, code: str) -> TokenPair:
    """The second step of signing in: a right code ends the challenge and starts the session."""
    pending = pending_sign_in(request, challenge, PendingSignIn.Kind.TWO_FACTOR)
    if _check_code(request, pending.user, code, pending=pending) is None:
        raise AuthenticationFailed(WRONG_CODE, code="two_factor_code_invalid")
    return start_session(request, pending.user, method=f"{pending.first_factor}+2fa")


def begin_enrolment_for_sign_in(request: HttpRequest, challenge: str) -> TotpEnrolment:
    """A user whose role requires two-factor and who has none sets it up before their first session."""
    return begin_totp_enrolment(request, pending_sign_in(request, challenge, PendingSignIn.Kind.ENROLMENT).user)


def confirm_enrolment_for_sign_in(request: HttpRequest, challenge: str, code: str) -> EnrolledSignIn:
    pending = pending_sign_in(request, challenge, PendingSignIn.Kind.ENROLMENT)
    with transaction.atomic():
        _lock(pending.user)
        if not PendingSignIn.objects.filter(pk=pending.pk).exists():
            raise challenge_ended()
        codes = confirm_totp(request, pending.user, code)
        pending.delete()
        tokens = start_session(request, pending.user, method=f"{pending.first_factor}+2fa")
    return EnrolledSignIn(backup_codes=codes, tokens=tokens)


def regenerate_backup_codes(request: HttpRequest, user: User, code: str) -> list[str]:
    """New backup codes for a current authenticator code; the old ones stop working."""
    _require_enabled(user)
    if _check_code(request, user, code, allow_backup_code=False) is None:
        raise CodeInvalid("That code is wrong; enter the code your authenticator app shows now.")
    with transaction.atomic():
        _lock(user)
        codes = _replace_backup_codes(user)
        record_security_event(request, AuditEventType.BACKUP_CODES_REGENERATED, actor=user)
    return codes


def disable(request: HttpRequest, user: User, code: str) -> None:
    """Turn two-factor off, proven with a current code (or a backup code, for a lost phone)."""
    if selectors.required_by_role(user):
        raise Conflict(
            "Your role requires two-factor authentication, so it cannot be turned off.",
            code="two_factor_required_by_role",
        )
    _require_enabled(user)
    if _check_code(request, user, code) is None:
        raise CodeInvalid()
    with transaction.atomic():
        _lock(user)
        TOTPDevice.objects.filter(user=user).delete()
        BackupCode.objects.filter(user=user).delete()
        PendingSignIn.objects.filter(user=user).delete()
        record_security_event(request, AuditEventType.TWO_FACTOR_DISABLED, actor=user)


def _check_code(
    request: HttpRequest, user: User, code: str, *, allow_backup_code: bool = True, pending: PendingSignIn | None = None
) -> Method | None:
    """The method `code` passed for the user, or None: a failure, counted even though the caller then fails.

    The LOCKOUT_AFTER-th failure in a row locks the user out for LOCKOUT_FOR and ends their open challenges
    (raises TwoFactorLocked, as does any check while locked). `pending`, if given, must still be open, and a right
    code ends it: a challenge is answered once.
    """
    now = timezone.now()
    with transaction.atomic():
        lockout = _lock(user)
        if lockout.locked_until is not None and lockout.locked_until > now:
            raise _locked(lockout.locked_until - now)
        if pending is not None and not PendingSignIn.objects.filter(pk=pending.pk).exists():
            raise challenge_ended()
        method = _match(user, _normalize(code), allow_backup_code=allow_backup_code, now=now)
        if method is not None:
            if pending is not None:
                pending.delete()
            if method == Method.BACKUP_CODE:
                remaining = selectors.backup_codes_remaining(user)
                record_security_event(request, AuditEventType.BACKUP_CODE_USED, actor=user, remaining=remaining)
            lockout.consecutive_failures = 0
        else:
            lockout.consecutive_failures += 1
            record_security_event(
                request, AuditEventType.TWO_FACTOR_FAILED, actor=user, consecutive=lockout.consecutive_failures
            )
            if lockout.consecutive_failures >= LOCKOUT_AFTER:
                lockout.consecutive_failures = 0
                lockout.locked_until = now + LOCKOUT_FOR
                # Challenges issued before the lockout die with it: after it, signing in starts from the password.
                PendingSignIn.objects.filter(user=user).delete()
                record_security_event(
                    request, AuditEventType.TWO_FACTOR_LOCKED, actor=user, until=lockout.locked_until.isoformat()
                )
        lockout.save(update_fields=["consecutive_failures", "locked_until"])
    # Raised outside the block, which would otherwise roll the count and the lockout back.
    if lockout.locked_until is not None and lockout.locked_until > now:
        raise _locked(LOCKOUT_FOR)
    return method


def _match(user: User, code: str, *, allow_backup_code: bool, now: datetime) -> Method | None:
    if _TOTP_CODE.fullmatch(code):
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        # django-otp accepts each time step once (it keeps the last one used): a replayed code fails.
        if device is not None and device.verify_token(code):
            return Method.TOTP
    elif allow_backup_code and _BACKUP_CODE.fullmatch(code):
        unused = BackupCode.objects.filter(user=user, code_hash__in=_code_hashes(code), used_at__isnull=True)
        if unused.update(used_at=now):
            return Method.BACKUP_CODE
    return None


def _lock(user: User) -> Lockout:
    """The user's lockout row, locked until the transaction ends."""
    lockout, _ = Lockout.objects.select_for_update().get_or_create(user=user)
    return lockout


def _locked(wait: timedelta) -> TwoFactorLocked:
    return TwoFactorLocked(wait=wait.total_seconds())


def _require_enabled(user: User) -> None:
    if not selectors.has_authenticator(user):
        raise Conflict("Two-factor authentication is not on for your account.", code="two_factor_not_enabled")


def _normalize(code: str) -> str:
    """What people type: any case, with the dash we print or spaces an app shows."""
    return code.strip().lower().replace("-", "").replace(" ", "")


def _code_hashes(code: str) -> list[str]:
    """The backup code's keyed hash under the current secret key, then under each old one (rotation keeps codes).

    A keyed hash rather than a password hash: codes have 50 random bits, not a person's choice, so without the
    key (which is not in the database) there is nothing to try offline, and a fast hash can be looked up by index.
    """
    keys = [settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS]
    return [salted_hmac(_BACKUP_CODE_SALT, code, secret=key, algorithm="sha256").hexdigest() for key in keys]


def _replace_backup_codes(user: User) -> list[str]:
    BackupCode.objects.filter(user=user).delete()
    codes = ["".join(secrets.choice(_BACKUP_ALPHABET) for _ in range(10)) for _ in range(BACKUP_CODE_COUNT)]
    BackupCode.objects.bulk_create(BackupCode(user=user, code_hash=_code_hashes(code)[0]) for code in codes)
    return [f"{code[:5]}-{code[5:]}" for code in codes]


def _otpauth_uri(secret: str, *, issuer: str, account: str, device: TOTPDevice) -> str:
    """The Key URI authenticator apps read (github.com/google/google-authenticator/wiki/Key-Uri-Format).

    Not django-otp's `config_url`: its issuer is one global setting, and each store is its own issuer here.
    """
    label = quote(f"{issuer.replace(':', '')}:{account}")
    query = {"secret": secret, "issuer": issuer, "algorithm": "SHA1", "digits": device.digits, "period": device.step}
    return f"otpauth://totp/{label}?{urlencode(query, quote_via=quote)}"
