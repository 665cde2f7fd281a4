"""Portal API authentication: a bearer JWT of the audience "portal" whose session is still open."""

from __future__ import annotations

from control_plane.accounts.identity import identity
from tenantry_kernel.identity.authentication import BoundJWTAuthentication
from tenantry_kernel.identity.config import Identity


class PortalJWTAuthentication(BoundJWTAuthentication):
    # Every portal token names its session, so signing out (or a revoked session) ends its access tokens at once.
    requires_session = True

    def get_identity(self) -> Identity:
        return identity
