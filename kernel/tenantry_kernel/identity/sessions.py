"""Sessions: start one (a refresh-token family), rotate its refresh token with reuse detection, end it."""

from __future__ import annotations

import uuid
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from rest_framework.exceptions import AuthenticationFailed
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken
from rest_framework_simplejwt.tokens import RefreshToken

from tenantry_kernel.identity.config import Identity, SecurityEvent
from tenantry_kernel.identity.models import AbstractSession
from tenantry_kernel.identity.tokens import (
    FAMILY_CLAIM,
    TokenPair,
    pair_of,
    refresh_token_for,
    verified_refresh_payload,
)


def _session_ended() -> AuthenticationFailed:
    return AuthenticationFailed("This session was signed out; sign in again.", code="token_revoked")


def open_session(
    identity: Identity, user: Any, *, method: str, request: HttpRequest | None = None, bound_to: str | None = None
) -> tuple[AbstractSession, TokenPair]:
    """A new session and its first token pair, unaudited (start_session is the audited sign-in).

    `bound_to` is the binding claim's value; by default what the request is bound to.
    """
    meta = request.META if request is not None else {}
    family = identity.sessions._default_manager.create(
        user=user,
        method=method[:60],
        user_agent=str(meta.get("HTTP_USER_AGENT", ""))[:300],
        ip_address=meta.get("REMOTE_ADDR") or None,
    )
    if bound_to is None:
        bound_to = identity.binding.value_for(request) if request is not None else ""
    refresh = refresh_token_for(user, claim=identity.binding.claim, value=bound_to, family_id=str(family.id))
    return family, pair_of(refresh)


def start_session(identity: Identity, request: HttpRequest, user: Any, *, method: str) -> TokenPair:
    with transaction.atomic():
        family, pair = open_session(identity, user, method=method, request=request)
        identity.audit(request, SecurityEvent.SIGN_IN, actor=user, family=str(family.id), method=method)
    return pair


def _family_of(identity: Identity, payload: dict[str, Any]) -> AbstractSession | None:
    """The token's family, locked for this transaction; None for a token without one."""
    try:
        family_id = uuid.UUID(str(payload.get(FAMILY_CLAIM)))
    except ValueError:
        return None
    return identity.sessions._default_manager.select_for_update().select_related("user").filter(id=family_id).first()


def rotate(identity: Identity, request: HttpRequest, raw: str) -> TokenPair:
    """A new pair for a refresh token used once; a second use revokes its whole family."""
    payload = verified_refresh_payload(raw)
    identity.binding.check_token(payload, request)
    with transaction.atomic():
        family = _family_of(identity, payload)
        if family is None or family.revoked_at is not None or not family.user.is_active:
            raise _session_ended()
        reused = BlacklistedToken.objects.filter(token__jti=payload[api_settings.JTI_CLAIM]).exists()
        if reused:
            revoke_family(family, reason="reuse")  # committed: the error below must not undo it
            identity.audit(request, SecurityEvent.TOKEN_REUSED, actor=family.user, family=str(family.id))
        else:
            RefreshToken(raw).blacklist()  # type: ignore[arg-type]  # simplejwt's Token alias; a str is what it takes
            family.last_used_at = timezone.now()
            family.save(update_fields=["last_used_at"])
            claim = identity.binding.claim
            refresh = refresh_token_for(family.user, claim=claim, value=payload[claim], family_id=str(family.id))
            pair = pair_of(refresh)
    if reused:
        raise AuthenticationFailed(
            "This refresh token was already used; every session it belongs to is now signed out.",
            code="token_reused",
        )
    return pair


def sign_out(identity: Identity, request: HttpRequest, raw: str) -> None:
    payload = verified_refresh_payload(raw)
    identity.binding.check_token(payload, request)
    with transaction.atomic():
        family = _family_of(identity, payload)
        if family is not None:
            revoke_family(family, reason="sign_out")
            identity.audit(request, SecurityEvent.SIGN_OUT, actor=family.user, family=str(family.id))


def revoke_family(family: AbstractSession, reason: str) -> None:
    if family.revoked_at is None:
        family.revoked_at = timezone.now()
        family.revoked_reason = reason
        family.save(update_fields=["revoked_at", "revoked_reason"])


def revoke_sessions(identity: Identity, user: Any, reason: str, *, keep: uuid.UUID | None = None) -> int:
    """Sign a user out everywhere (but the session `keep`); their access tokens die with their families."""
    families = identity.sessions._default_manager.filter(user=user, revoked_at__isnull=True)
    if keep is not None:
        families = families.exclude(id=keep)
    return families.update(revoked_at=timezone.now(), revoked_reason=reason)


def revoke_session(identity: Identity, request: HttpRequest, actor: Any, family: AbstractSession) -> None:
    with transaction.atomic():
        family = identity.sessions._default_manager.select_for_update().select_related("user").get(pk=family.pk)
        if family.revoked_at is not None:
            return
        revoke_family(family, reason="revoked" if actor.pk == family.user_id else "revoked_by_admin")
        identity.audit(
            request, SecurityEvent.SESSION_REVOKED, actor=actor, subject=family.user.email, family=str(family.id)
        )


def family_of_token(claims: Any) -> uuid.UUID | None:
    """The session (refresh family) an access token's claims belong to."""
    try:
        return uuid.UUID(str(claims.get(FAMILY_CLAIM))) if claims is not None else None
    except ValueError:
        return None
