"""JWT authentication that refuses a token of one tenant on another, and revoked families."""

from __future__ import annotations

from typing import Any

from tenant_app.accounts.identity import identity
from tenantry_kernel.identity.authentication import BoundJWTAuthentication
from tenantry_kernel.identity.config import Identity


class TenantJWTAuthentication(BoundJWTAuthentication):
    def get_identity(self) -> Identity:
        return identity

    def authenticate_token(self, raw_token: bytes, tenant: str) -> tuple[Any, Any]:
        """(user, token) of an access token presented to `tenant`, by any transport (header, WebSocket).

        Raises AuthenticationFailed (InvalidToken is one) when the token is bad, expired, of
        another tenant, of a signed-out session, or of an inactive user. Call inside the tenant's
        transaction: the session and the user are looked up in its schema.
        """
        return self.authenticate_bound_token(raw_token, tenant)
