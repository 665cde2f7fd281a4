"""Signing in: the first factor (a password, or an identity provider), then a challenge or a session."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import authenticate
from django.http import HttpRequest
from rest_framework.exceptions import AuthenticationFailed

from tenantry_kernel.identity.challenges import SecondFactorChallenge, challenge_for_sign_in
from tenantry_kernel.identity.config import Identity, SecurityEvent
from tenantry_kernel.identity.models import normalize_email
from tenantry_kernel.identity.sessions import start_session
from tenantry_kernel.identity.tokens import TokenPair

# What a sign-in answers: tokens, or (with 2FA) a challenge to answer first.
SignInResult = TokenPair | SecondFactorChallenge


def sign_in(identity: Identity, request: HttpRequest, email: str, password: str) -> SignInResult:
    """Password sign-in: tokens, or a second-factor challenge when the user needs one."""
    user = authenticate(request, username=normalize_email(email), password=password)
    if user is None or not user.is_active:
        identity.audit(request, SecurityEvent.SIGN_IN_FAILED, subject=email)
        raise AuthenticationFailed("The email or password is wrong.", code="invalid_credentials")
    return complete_sign_in(identity, request, user, method="password")


def complete_sign_in(identity: Identity, request: HttpRequest, user: Any, *, method: str) -> SignInResult:
    """The first factor passed: ask for the second or start a session.

    Every way of signing in ends here, so the second-factor policy is enforced once.
    """
    challenge = challenge_for_sign_in(identity, request, user, first_factor=method)
    if challenge is not None:
        return challenge
    return start_session(identity, request, user, method=method)
