"""Every state change of accounts: sign in, rotate a refresh token, sign out."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import authenticate
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from rest_framework.exceptions import AuthenticationFailed
from rest_framework_simplejwt.exceptions import TokenBackendError
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.state import token_backend
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken
from rest_framework_simplejwt.tokens import RefreshToken

from tenant_app.accounts.models import RefreshFamily, User, normalize_email
from tenant_app.accounts.tokens import FAMILY_CLAIM, TENANT_CLAIM, refresh_token_for, tenant_of
from tenant_app.audit.actions import record_security_event
from tenant_app.audit.models import AuditEventType


@dataclass(frozen=True)
class TokenPair:
    """Signed in: an access token for API calls and a refresh token for the next pair."""

    access: str
    refresh: str

    def as_dict(self) -> dict[str, str]:
        return {"access": self.access, "refresh": self.refresh}


# What a sign-in answers: tokens, or (with 2FA) a challenge to answer first.
SignInResult = TokenPair


def _pair(refresh: RefreshToken) -> TokenPair:
    return TokenPair(access=str(refresh.access_token), refresh=str(refresh))


def sign_in(request: HttpRequest, email: str, password: str) -> SignInResult:
    """Password sign-in: tokens, or a second-factor challenge when the user needs one."""
    user = authenticate(request, username=normalize_email(email), password=password)
    if user is None or not user.is_active:
        record_security_event(request, AuditEventType.SIGN_IN_FAILED, subject=email)
        raise AuthenticationFailed("The email or password is wrong.", code="invalid_credentials")
    return complete_sign_in(request, user, method="password")


def complete_sign_in(request: HttpRequest, user: User, *, method: str) -> SignInResult:
    """The first factor passed (a password, or an identity provider): ask for the second or start a session.

    Every way of signing in ends here, so the second-factor policy is enforced once.
    """
    return start_session(request, user, method=method)


def start_session(request: HttpRequest, user: User, *, method: str) -> TokenPair:
    meta = request.META
    family = RefreshFamily.objects.create(
        user=user,
        method=method[:60],
        user_agent=str(meta.get("HTTP_USER_AGENT", ""))[:300],
        ip_address=meta.get("REMOTE_ADDR") or None,
    )
    record_security_event(request, AuditEventType.SIGN_IN, actor=user, family=str(family.id), method=method)
    return _pair(refresh_token_for(user, tenant_of(request), str(family.id)))


def _verified_payload(raw: str) -> dict[str, Any]:
    """Signature, expiry and type checked; the blacklist deliberately not (reuse detection)."""
    try:
        # simplejwt annotates the raw token as its own `Token` alias; a str is what it takes.
        payload: dict[str, Any] = token_backend.decode(raw, verify=True)  # type: ignore[arg-type]
    except TokenBackendError as exc:
        raise AuthenticationFailed("The refresh token is invalid or expired.", code="token_invalid") from exc
    if payload.get(api_settings.TOKEN_TYPE_CLAIM) != "refresh":
        raise AuthenticationFailed("A refresh token is needed here.", code="token_invalid")
    return payload


def _family_of(payload: dict[str, Any]) -> RefreshFamily | None:
    """The token's family, locked for this transaction; None for a token without one."""
    try:
        family_id = uuid.UUID(str(payload.get(FAMILY_CLAIM)))
    except ValueError:
        return None
    return RefreshFamily.objects.select_for_update().filter(id=family_id).first()


def rotate(request: HttpRequest, raw: str) -> TokenPair:
    """A new pair for a refresh token used once; a second use revokes its whole family."""
    payload = _verified_payload(raw)
    if payload.get(TENANT_CLAIM) != tenant_of(request):
        raise AuthenticationFailed("This token was issued for another store.", code="token_wrong_tenant")
    with transaction.atomic():
        family = _family_of(payload)
        if family is None or family.revoked_at is not None:
            raise AuthenticationFailed("This session was signed out; sign in again.", code="token_revoked")
        reused = BlacklistedToken.objects.filter(token__jti=payload[api_settings.JTI_CLAIM]).exists()
        if reused:
            revoke_family(family, reason="reuse")  # committed: the error below must not undo it
            record_security_event(request, AuditEventType.TOKEN_REUSED, actor=family.user, family=str(family.id))
        else:
            RefreshToken(raw).blacklist()  # type: ignore[arg-type]
            family.last_used_at = timezone.now()
            family.save(update_fields=["last_used_at"])
            pair = _pair(refresh_token_for(family.user, payload[TENANT_CLAIM], str(family.id)))
    if reused:
        raise AuthenticationFailed(
            "This refresh token was already used; every session it belongs to is now signed out.",
            code="token_reused",
        )
    return pair


def sign_out(request: HttpRequest, raw: str) -> None:
    payload = _verified_payload(raw)
    if payload.get(TENANT_CLAIM) != tenant_of(request):
        raise AuthenticationFailed("This token was issued for another store.", code="token_wrong_tenant")
    with transaction.atomic():
        family = _family_of(payload)
        if family is not None:
            revoke_family(family, reason="sign_out")
            record_security_event(request, AuditEventType.SIGN_OUT, actor=family.user, family=str(family.id))


def revoke_family(family: RefreshFamily, reason: str) -> None:
    if family.revoked_at is None:
        family.revoked_at = timezone.now()
        family.revoked_reason = reason
        family.save(update_fields=["revoked_at", "revoked_reason"])
