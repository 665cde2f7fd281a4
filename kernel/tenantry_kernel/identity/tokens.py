"""Token pairs (simplejwt) that carry their binding claim and the session (refresh family) they descend from."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rest_framework.exceptions import AuthenticationFailed
from rest_framework_simplejwt.exceptions import TokenBackendError
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.state import token_backend
from rest_framework_simplejwt.tokens import RefreshToken

FAMILY_CLAIM = "fam"


@dataclass(frozen=True)
class TokenPair:
    """Signed in: an access token for API calls and a refresh token for the next pair."""

    access: str
    refresh: str

    def as_dict(self) -> dict[str, str]:
        return {"access": self.access, "refresh": self.refresh}


def refresh_token_for(user: Any, *, claim: str, value: str, family_id: str) -> RefreshToken:
    token = RefreshToken.for_user(user)
    # Access tokens made from it copy these claims.
    token[claim] = value
    token[FAMILY_CLAIM] = family_id
    return token


def pair_of(refresh: RefreshToken) -> TokenPair:
    return TokenPair(access=str(refresh.access_token), refresh=str(refresh))


def verified_refresh_payload(raw: str) -> dict[str, Any]:
    """Signature, expiry, issuer, audience and type checked; the blacklist deliberately not (reuse detection)."""
    try:
        # simplejwt annotates the raw token as its own `Token` alias; a str is what it takes.
        payload: dict[str, Any] = token_backend.decode(raw, verify=True)  # type: ignore[arg-type]
    except TokenBackendError as exc:
        raise AuthenticationFailed("The refresh token is invalid or expired.", code="token_invalid") from exc
    if payload.get(api_settings.TOKEN_TYPE_CLAIM) != "refresh":
        raise AuthenticationFailed("A refresh token is needed here.", code="token_invalid")
    return payload
