"""JWT authentication that refuses a token bound elsewhere (another tenant, another audience) and revoked sessions."""

from __future__ import annotations

from typing import Any

from rest_framework.exceptions import AuthenticationFailed
from rest_framework.request import Request
from rest_framework_simplejwt.authentication import JWTAuthentication

from tenantry_kernel.identity.config import Identity
from tenantry_kernel.identity.sessions import family_of_token


class BoundJWTAuthentication(JWTAuthentication):
    """A project subclasses it and says which identity it checks tokens against (`get_identity`).

    With `requires_session`, a token must name a session that exists and is open; otherwise only a revoked one
    is refused.
    """

    requires_session = False

    def get_identity(self) -> Identity:
        raise NotImplementedError("Subclasses name their project's Identity.")

    def authenticate(self, request: Request) -> tuple[Any, Any] | None:
        header = self.get_header(request)
        raw_token = self.get_raw_token(header) if header is not None else None
        if raw_token is None:
            return None
        return self.authenticate_bound_token(raw_token, self.get_identity().binding.value_for(request._request))

    def authenticate_bound_token(self, raw_token: bytes, bound_to: str) -> tuple[Any, Any]:
        """(user, token) of an access token presented where the binding claim must equal `bound_to`.

        Raises AuthenticationFailed (InvalidToken is one) when the token is bad, expired, bound elsewhere, of a
        signed-out session, or of an inactive user.
        """
        identity = self.get_identity()
        token = self.get_validated_token(raw_token)
        # Checked before the user is looked up: the token's user id means nothing elsewhere.
        identity.binding.check_token_value(token, bound_to)
        family = family_of_token(token)
        sessions = identity.sessions._default_manager.filter(id=family) if family is not None else None
        if self.requires_session:
            ended = sessions is None or not sessions.filter(revoked_at__isnull=True).exists()
        else:
            ended = sessions is not None and sessions.filter(revoked_at__isnull=False).exists()
        if ended:
            raise AuthenticationFailed("This session was signed out; sign in again.", code="token_revoked")
        return self.get_user(token), token
