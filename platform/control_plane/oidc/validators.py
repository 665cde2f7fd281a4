"""What the provider says about a portal user: the standard claims a tenant app needs to find or create them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from oauth2_provider.oauth2_validators import OAuth2Validator


def _email(request: Any) -> str:
    return str(request.user.email)


def _email_verified(request: Any) -> bool:
    return bool(request.user.email_verified)


def _name(request: Any) -> str:
    return str(request.user.full_name or "")


class PlatformOAuth2Validator(OAuth2Validator):
    """`sub` is the user's id (DOT's default, stable); `email`, `email_verified` (scope email), `name` (profile).

    The claims are callables of the request (DOT's request-agnostic form), so discovery lists them.
    """

    # DOT inspects the signature and accepts either form; this one lets discovery list the claims.
    def get_additional_claims(self) -> dict[str, Callable[[Any], Any]]:  # type: ignore[override]
        return {"email": _email, "email_verified": _email_verified, "name": _name}
