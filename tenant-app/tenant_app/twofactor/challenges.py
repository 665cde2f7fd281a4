"""Second-factor challenges: what a sign-in answers instead of tokens, and reading one back (bound to the tenant)."""

from __future__ import annotations

from typing import cast

from django.http import HttpRequest
from rest_framework.exceptions import AuthenticationFailed

from tenant_app.accounts.identity import identity
from tenant_app.accounts.models import User
from tenant_app.twofactor.models import PendingSignIn
from tenantry_kernel.identity import challenges
from tenantry_kernel.identity.challenges import CHALLENGE_TTL, SecondFactorChallenge

__all__ = ["CHALLENGE_TTL", "SecondFactorChallenge"]


def challenge_for_sign_in(request: HttpRequest, user: User, *, first_factor: str) -> SecondFactorChallenge | None:
    """The challenge a sign-in must pass before tokens, or None when the user needs no second factor."""
    return challenges.challenge_for_sign_in(identity, request, user, first_factor=first_factor)


def pending_sign_in(request: HttpRequest, raw: str, kind: PendingSignIn.Kind) -> PendingSignIn:
    """The open sign-in a challenge stands for; refused when forged, expired, of another store or step, or used."""
    return cast(PendingSignIn, challenges.pending_sign_in(identity, request, raw, kind))


def challenge_ended() -> AuthenticationFailed:
    return challenges.challenge_ended()
