"""Portal access tokens (simplejwt); `access_token_for` is how code and tests sign a user in without a password."""

from __future__ import annotations

from typing import Any

from control_plane.accounts.identity import PORTAL_AUDIENCE, identity
from tenantry_kernel.identity.sessions import open_session


def access_token_for(user: Any) -> str:
    """An access token of a new session of `user` (method "direct": no password, no second factor, not audited)."""
    _, pair = open_session(identity, user, method="direct", bound_to=PORTAL_AUDIENCE)
    return pair.access
