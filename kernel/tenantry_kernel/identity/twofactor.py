"""Two-factor authentication: enrol an authenticator app (TOTP), answer a challenge, backup codes, disable.

Each user's checks and changes run one at a time under a lock on their lockout row; that also makes a TOTP time
step and a backup code count once when two requests race with the same code.
"""

from __future__ import annotations

import re
import secrets
from base64 import b32encode
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
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

from tenantry_kernel.identity.challenges import (
    Kind,
    backup_codes_remaining,
    challenge_ended,
    has_authenticator,
    methods_for,
    pending_sign_in,
)
from tenantry_kernel.identity.config import Identity, SecurityEvent
from tenantry_kernel.identity.models import AbstractLockout, AbstractPendingSignIn, Method
from tenantry_kernel.identity.sessions import start_session
from tenantry_kernel.identity.tokens import TokenPair
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
WRONG_APP_CODE = "That code is wrong; enter the code your authenticator app shows now."


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


@dataclass(frozen=True)
class TwoFactorStatus:
    enabled: bool
    methods: list[str]
    backup_codes_remaining: int
    required: bool


def status_of(identity: Identity, user: Any) -> TwoFactorStatus:
    enabled, remaining = has_authenticator(user), backup_codes_remaining(identity, user)
    return TwoFactorStatus(
        enabled=enabled,
        methods=methods_for(enabled, remaining),
        backup_codes_remaining=remaining,
        required=identity.second_factor_required(user),
    )


def begin_totp_enrolment(identity: Identity, request: HttpRequest, user: Any) -> TotpEnrolment:
    """A new, unconfirmed authenticator for the user; it counts once `confirm_totp` has seen a code from it."""
    with transaction.atomic():
        _lock(identity, user)
        if has_authenticator(user):
            # Else a stolen access token could swap the victim's authenticator for the thief's.
            raise Conflict(
                "Two-factor authentication is on already; turn it off first to set up another authenticator app.",
                code="two_factor_already_enabled",
            )
        # Starting over replaces a set-up never confirmed (a QR code scanned by no one, or by the wrong phone).
        TOTPDevice.objects.filter(user=user, confirmed=False).delete()
        device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)
    secret = b32encode(device.bin_key).decode().rstrip("=")
    uri = otpauth_uri(secret, issuer=identity.totp_issuer(request), account=user.email, device=device)
    return TotpEnrolment(otpauth_uri=uri, qr_code=segno.make(uri, error="m").svg_data_uri(scale=4), secret=secret)


def confirm_totp(identity: Identity, request: HttpRequest, user: Any, code: str) -> list[str]:
    """Turn two-factor on with the first code from the new authenticator; the backup codes, shown this once."""
    with transaction.atomic():
        _lock(identity, user)
        device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-id").first()
        if device is None:
            raise Conflict(
                "No authenticator app is waiting for confirmation; start setting one up first.",
                code="two_factor_enrolment_not_started",
            )
        # Not counted towards the lockout: whoever calls this was just given the secret, there is nothing to guess.
        code = _normalize(code)
        if not (_TOTP_CODE.fullmatch(code) and device.verify_token(code)):
            raise CodeInvalid(WRONG_APP_CODE)
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        codes = _replace_backup_codes(identity, user)
        identity.audit(request, SecurityEvent.TWO_FACTOR_ENABLED, actor=user, method=Method.TOTP)
    return codes


def answer_challenge(identity: Identity, request: HttpRequest, challenge: str, code: str) -> TokenPair:
    """The second step of signing in: a right code ends the challenge and starts the session."""
    pending = pending_sign_in(identity, request, challenge, Kind.TWO_FACTOR)
    if check_code(identity, request, pending.user, code, pending=pending) is None:
        raise AuthenticationFailed(WRONG_CODE, code="two_factor_code_invalid")
    return start_session(identity, request, pending.user, method=f"{pending.first_factor}+2fa")


def begin_enrolment_for_sign_in(identity: Identity, request: HttpRequest, challenge: str) -> TotpEnrolment:
    """A user who must have two-factor and has none sets it up before their first session."""
    pending = pending_sign_in(identity, request, challenge, Kind.ENROLMENT)
    return begin_totp_enrolment(identity, request, pending.user)


def confirm_enrolment_for_sign_in(
    identity: Identity, request: HttpRequest, challenge: str, code: str
) -> EnrolledSignIn:
    pending = pending_sign_in(identity, request, challenge, Kind.ENROLMENT)
    with transaction.atomic():
        _lock(identity, pending.user)
        if not identity.pending_sign_ins._default_manager.filter(pk=pending.pk).exists():
            raise challenge_ended()
        codes = confirm_totp(identity, request, pending.user, code)
        pending.delete()
        tokens = start_session(identity, request, pending.user, method=f"{pending.first_factor}+2fa")
    return EnrolledSignIn(backup_codes=codes, tokens=tokens)


def regenerate_backup_codes(identity: Identity, request: HttpRequest, user: Any, code: str) -> list[str]:
    """New backup codes for a current authenticator code; the old ones stop working."""
    _require_enabled(user)
    if check_code(identity, request, user, code, allow_backup_code=False) is None:
        raise CodeInvalid(WRONG_APP_CODE)
    with transaction.atomic():
        _lock(identity, user)
        codes = _replace_backup_codes(identity, user)
        identity.audit(request, SecurityEvent.BACKUP_CODES_REGENERATED, actor=user)
    return codes


def disable(identity: Identity, request: HttpRequest, user: Any, code: str) -> None:
    """Turn two-factor off, proven with a current code (or a backup code, for a lost phone)."""
    if identity.second_factor_required(user):
        raise Conflict(identity.required_message, code=identity.required_code)
    _require_enabled(user)
    if check_code(identity, request, user, code) is None:
        raise CodeInvalid()
    with transaction.atomic():
        _lock(identity, user)
        TOTPDevice.objects.filter(user=user).delete()
        identity.backup_codes._default_manager.filter(user=user).delete()
        identity.pending_sign_ins._default_manager.filter(user=user).delete()
        identity.audit(request, SecurityEvent.TWO_FACTOR_DISABLED, actor=user)


def check_code(
    identity: Identity,
    request: HttpRequest,
    user: Any,
    code: str,
    *,
    allow_backup_code: bool = True,
    pending: AbstractPendingSignIn | None = None,
) -> Method | None:
    """The method `code` passed for the user, or None: a failure, counted even though the caller then fails.

    The LOCKOUT_AFTER-th failure in a row locks the user out for LOCKOUT_FOR and ends their open challenges
    (raises TwoFactorLocked, as does any check while locked). `pending`, if given, must still be open, and a right
    code ends it: a challenge is answered once.
    """
    now = timezone.now()
    with transaction.atomic():
        lockout = _lock(identity, user)
        if lockout.locked_until is not None and lockout.locked_until > now:
            raise _locked(lockout.locked_until - now)
        if pending is not None and not identity.pending_sign_ins._default_manager.filter(pk=pending.pk).exists():
            raise challenge_ended()
        method = _match(identity, user, _normalize(code), allow_backup_code=allow_backup_code, now=now)
        if method is not None:
            if pending is not None:
                pending.delete()
            if method == Method.BACKUP_CODE:
                remaining = backup_codes_remaining(identity, user)
                identity.audit(request, SecurityEvent.BACKUP_CODE_USED, actor=user, remaining=remaining)
            lockout.consecutive_failures = 0
        else:
            lockout.consecutive_failures += 1
            identity.audit(
                request, SecurityEvent.TWO_FACTOR_FAILED, actor=user, consecutive=lockout.consecutive_failures
            )
            if lockout.consecutive_failures >= LOCKOUT_AFTER:
                lockout.consecutive_failures = 0
                lockout.locked_until = now + LOCKOUT_FOR
                # Challenges issued before the lockout die with it: after it, signing in starts from the password.
                identity.pending_sign_ins._default_manager.filter(user=user).delete()
                identity.audit(
                    request, SecurityEvent.TWO_FACTOR_LOCKED, actor=user, until=lockout.locked_until.isoformat()
                )
        lockout.save(update_fields=["consecutive_failures", "locked_until"])
    # Raised outside the block, which would otherwise roll the count and the lockout back.
    if lockout.locked_until is not None and lockout.locked_until > now:
        raise _locked(LOCKOUT_FOR)
    return method


def _match(identity: Identity, user: Any, code: str, *, allow_backup_code: bool, now: datetime) -> Method | None:
    if _TOTP_CODE.fullmatch(code):
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        # django-otp accepts each time step once (it keeps the last one used): a replayed code fails.
        if device is not None and device.verify_token(code):
            return Method.TOTP
    elif allow_backup_code and _BACKUP_CODE.fullmatch(code):
        unused = identity.backup_codes._default_manager.filter(
            user=user, code_hash__in=_code_hashes(code), used_at__isnull=True
        )
        if unused.update(used_at=now):
            return Method.BACKUP_CODE
    return None


def _lock(identity: Identity, user: Any) -> AbstractLockout:
    """The user's lockout row, locked until the transaction ends."""
    lockout, _ = identity.lockouts._default_manager.select_for_update().get_or_create(user=user)
    return lockout


def _locked(wait: timedelta) -> TwoFactorLocked:
    return TwoFactorLocked(wait=wait.total_seconds())


def _require_enabled(user: Any) -> None:
    if not has_authenticator(user):
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


def _replace_backup_codes(identity: Identity, user: Any) -> list[str]:
    identity.backup_codes._default_manager.filter(user=user).delete()
    codes = ["".join(secrets.choice(_BACKUP_ALPHABET) for _ in range(10)) for _ in range(BACKUP_CODE_COUNT)]
    model = identity.backup_codes
    model._default_manager.bulk_create(model(user=user, code_hash=_code_hashes(code)[0]) for code in codes)
    return [f"{code[:5]}-{code[5:]}" for code in codes]


def otpauth_uri(secret: str, *, issuer: str, account: str, device: TOTPDevice) -> str:
    """The Key URI authenticator apps read (github.com/google/google-authenticator/wiki/Key-Uri-Format).

    Not django-otp's `config_url`: its issuer is one global setting, and each store is its own issuer here.
    """
    label = quote(f"{issuer.replace(':', '')}:{account}")
    query = {"secret": secret, "issuer": issuer, "algorithm": "SHA1", "digits": device.digits, "period": device.step}
    return f"otpauth://totp/{label}?{urlencode(query, quote_via=quote)}"
