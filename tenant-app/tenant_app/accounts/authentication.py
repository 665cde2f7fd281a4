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
        result = super().authenticate(request)
        if result is None:
            return None
        user, token = result
        if token.get(TENANT_CLAIM) != tenant_of(request):
            raise AuthenticationFailed("This token was issued for another store.", code="token_wrong_tenant")
        if RefreshFamily.objects.filter(id=token.get(FAMILY_CLAIM), revoked_at__isnull=False).exists():
            raise AuthenticationFailed("This session was signed out; sign in again.", code="token_revoked")
        return user, token
