"""Portal access tokens (simplejwt); `access_token_for` is how code and tests sign a user in without a password."""

from __future__ import annotations

from typing import Any

from rest_framework_simplejwt.tokens import RefreshToken


def access_token_for(user: Any) -> str:
    return str(RefreshToken.for_user(user).access_token)
