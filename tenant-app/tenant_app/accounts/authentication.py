"""JWT authentication that refuses a token of one tenant on another, and revoked families."""

from __future__ import annotations

from typing import Any

from rest_framework.exceptions import AuthenticationFailed
from rest_framework.request import Request
from rest_framework_simplejwt.authentication import JWTAuthentication

from tenant_app.accounts.models import RefreshFamily
from tenant_app.accounts.tokens import FAMILY_CLAIM, TENANT_CLAIM, tenant_of


class TenantJWTAuthentication(JWTAuthentication):
    def authenticate(self, request: Request) -> tuple[Any, Any] | None:
        header = self.get_header(request)
        raw_token = self.get_raw_token(header) if header is not None else None
        if raw_token is None:
            return None
        return self.authenticate_token(raw_token, tenant_of(request))

    def authenticate_token(self, raw_token: bytes, tenant: str) -> tuple[Any, Any]:
        """(user, token) of an access token presented to `tenant`, by any transport (header, WebSocket).

        Raises AuthenticationFailed (InvalidToken is one) when the token is bad, expired, of
        another tenant, of a signed-out session, or of an inactive user. Call inside the tenant's
        transaction: the session and the user are looked up in its schema.
        """
        token = self.get_validated_token(raw_token)
        # Checked before the user is looked up: the token's user id means nothing in another store.
        if token.get(TENANT_CLAIM) != tenant:
            raise AuthenticationFailed("This token was issued for another store.", code="token_wrong_tenant")
        if RefreshFamily.objects.filter(id=token.get(FAMILY_CLAIM), revoked_at__isnull=False).exists():
            raise AuthenticationFailed("This session was signed out; sign in again.", code="token_revoked")
        return self.get_user(token), token
