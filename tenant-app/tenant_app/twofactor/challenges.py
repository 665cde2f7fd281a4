"""Second-factor challenges: what a sign-in answers instead of tokens, and reading one back.

Apart from actions.py because sign-in (accounts.actions) issues them while actions.py starts sessions
through accounts.actions: the imports stay one-way.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.core import signing
from django.http import HttpRequest
from django.utils import timezone
from rest_framework.exceptions import AuthenticationFailed

from tenant_app.accounts.models import User
from tenant_app.accounts.tokens import tenant_of
from tenant_app.twofactor import selectors
from tenant_app.twofactor.models import Method, PendingSignIn

CHALLENGE_TTL = timedelta(minutes=5)
# A signature under this salt is valid for nothing else: not a JWT, not another signed value.
_SALT = "tenantry.twofactor.challenge"


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


def challenge_for_sign_in(request: HttpRequest, user: User, *, first_factor: str) -> SecondFactorChallenge | None:
    """The challenge a sign-in must pass before tokens, or None when the user needs no second factor."""
    methods = selectors.methods_of(user)
    if methods:
        kind = PendingSignIn.Kind.TWO_FACTOR
    elif selectors.required_by_role(user):
        kind, methods = PendingSignIn.Kind.ENROLMENT, [Method.TOTP]
    else:
        return None
    # The user's challenges that expired unanswered are of no use to anyone.
    PendingSignIn.objects.filter(user=user, created_at__lt=timezone.now() - CHALLENGE_TTL).delete()
    pending = PendingSignIn.objects.create(user=user, kind=kind, first_factor=first_factor[:50])
    token = signing.dumps({"id": str(pending.id), "tenant": tenant_of(request)}, salt=_SALT)
    return SecondFactorChallenge(kind, token, tuple(methods), int(CHALLENGE_TTL.total_seconds()))


def pending_sign_in(request: HttpRequest, raw: str, kind: PendingSignIn.Kind) -> PendingSignIn:
    """The open sign-in a challenge stands for; refused when forged, expired, of another store or step, or used."""
    try:
        claims = signing.loads(raw, salt=_SALT, max_age=CHALLENGE_TTL)
    except signing.BadSignature as exc:  # SignatureExpired is one too
        raise challenge_ended() from exc
    if claims.get("tenant") != tenant_of(request):
        raise AuthenticationFailed("This challenge was issued by another store.", code="challenge_wrong_tenant")
    pending = PendingSignIn.objects.select_related("user").filter(pk=claims.get("id"), user__is_active=True).first()
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
