"""Second-factor challenges: what a sign-in answers instead of tokens, and reading one back."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.core import signing
from django.http import HttpRequest
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.exceptions import AuthenticationFailed

from tenantry_kernel.identity.config import Identity
from tenantry_kernel.identity.models import AbstractPendingSignIn, Method

CHALLENGE_TTL = timedelta(minutes=5)
# A signature under this salt is valid for nothing else: not a JWT, not another signed value.
_SALT = "tenantry.twofactor.challenge"
Kind = AbstractPendingSignIn.Kind


@dataclass(frozen=True)
class SecondFactorChallenge:
    """Signed in halfway: answer `challenge` with a code (or enrol an authenticator app first) to get tokens."""

    status: str
    challenge: str
    methods: tuple[str, ...]
    expires_in: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "challenge": self.challenge,
            "methods": list(self.methods),
            "expires_in": self.expires_in,
        }


def has_authenticator(user: Any) -> bool:
    """Whether the user has a confirmed authenticator app, which turns two-factor sign-in on."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def backup_codes_remaining(identity: Identity, user: Any) -> int:
    return identity.backup_codes._default_manager.filter(user=user, used_at__isnull=True).count()


def methods_for(enabled: bool, backup_codes: int) -> list[str]:
    if not enabled:
        return []
    return [Method.TOTP, Method.BACKUP_CODE] if backup_codes else [Method.TOTP]


def methods_of(identity: Identity, user: Any) -> list[str]:
    """The ways the user can pass a challenge now (none: two-factor is off)."""
    if not has_authenticator(user):
        return []
    return methods_for(True, backup_codes_remaining(identity, user))


def challenge_for_sign_in(
    identity: Identity, request: HttpRequest, user: Any, *, first_factor: str
) -> SecondFactorChallenge | None:
    """The challenge a sign-in must pass before tokens, or None when the user needs no second factor."""
    methods = methods_of(identity, user)
    if methods:
        kind = Kind.TWO_FACTOR
    elif identity.second_factor_required(user):
        kind, methods = Kind.ENROLMENT, [Method.TOTP]
    else:
        return None
    pending_sign_ins = identity.pending_sign_ins._default_manager
    # The user's challenges that expired unanswered are of no use to anyone.
    pending_sign_ins.filter(user=user, created_at__lt=timezone.now() - CHALLENGE_TTL).delete()
    pending = pending_sign_ins.create(user=user, kind=kind, first_factor=first_factor[:50])
    claims = {"id": str(pending.id), identity.binding.claim: identity.binding.value_for(request)}
    token = signing.dumps(claims, salt=_SALT)
    return SecondFactorChallenge(kind, token, tuple(methods), int(CHALLENGE_TTL.total_seconds()))


def pending_sign_in(identity: Identity, request: HttpRequest, raw: str, kind: str) -> AbstractPendingSignIn:
    """The open sign-in a challenge stands for; refused when forged, expired, bound elsewhere, of another step, or
    used."""
    try:
        claims = signing.loads(raw, salt=_SALT, max_age=CHALLENGE_TTL)
    except signing.BadSignature as exc:  # SignatureExpired is one too
        raise challenge_ended() from exc
    identity.binding.check_challenge(claims, request)
    pending = (
        identity.pending_sign_ins._default_manager.select_related("user")
        .filter(pk=claims.get("id"), user__is_active=True)
        .first()
    )
    if pending is None:
        raise challenge_ended()
    if pending.kind != kind:
        raise AuthenticationFailed(
            "This challenge is for another step of signing in; follow its status.", code="challenge_invalid"
        )
    return pending


def challenge_ended() -> AuthenticationFailed:
    return AuthenticationFailed(
        "This challenge is invalid, expired or already answered; sign in again.", code="challenge_invalid"
    )
