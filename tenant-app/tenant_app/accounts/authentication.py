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
        token = self.get_validated_token(raw_token)
        # Checked before the user is looked up: the token's user id means nothing in another store.
        if token.get(TENANT_CLAIM) != tenant_of(request):
            raise AuthenticationFailed("This token was issued for another store.", code="token_wrong_tenant")
        if RefreshFamily.objects.filter(id=token.get(FAMILY_CLAIM), revoked_at__isnull=False).exists():
            raise AuthenticationFailed("This session was signed out; sign in again.", code="token_revoked")
        return self.get_user(token), token
