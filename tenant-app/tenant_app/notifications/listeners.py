"""Who listens: authenticating a live connection (WebSocket or event stream) and the groups it joins."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rest_framework.authentication import BaseAuthentication
from rest_framework.exceptions import AuthenticationFailed, NotAuthenticated
from rest_framework.request import Request

from tenant_app.access.policy import Context, require
from tenant_app.accounts.authentication import TenantJWTAuthentication
from tenant_app.accounts.models import User
from tenant_app.accounts.tokens import tenant_of
from tenant_app.notifications import tickets
from tenant_app.tenancy.channels import tenant_group

TICKET_REFUSED = "This ticket is unknown, used or expired; ask for a new one at /api/v1/notifications/tickets/."


@dataclass(frozen=True)
class Listener:
    tenant: str
    user_id: int
    # Every group the user is entitled to, joined on connect; a client may join no other.
    groups: tuple[str, ...]
    # The access token's expiry (seconds since the epoch): the connection ends then, so a
    # signed-out session or a deactivated user stops receiving within a token's lifetime.
    expires_at: float


def groups_of(user: User) -> tuple[str, ...]:
    """The user's own group, their role's and the tenant's (inside the tenant's context)."""
    groups = [tenant_group("user", user.pk)]
    if user.role_id is not None:
        groups.append(tenant_group("role", user.role_id))
    groups.append(tenant_group("tenant"))
    return tuple(groups)


def listener_for(user: User, token: Any, tenant: str, context: Context | None = None) -> Listener:
    """A signed-in user who may read their notifications (the policy engine decides: Denied otherwise)."""
    require(user, "notifications.view", context=context)
    return Listener(tenant, user.pk, groups_of(user), float(token["exp"]))


def authenticate_listener(tenant: str, *, bearer: bytes | None, ticket: str | None) -> Listener:
    """The listener behind an access token or a ticket; inside the tenant's transaction.

    Raises NotAuthenticated or AuthenticationFailed (401) and Denied (403).
    """
    if bearer is None and ticket:
        bearer = tickets.redeem(tenant, ticket)
        if bearer is None:
            raise AuthenticationFailed(TICKET_REFUSED, code="ticket_invalid")
    if bearer is None:
        raise NotAuthenticated("Send an access token (subprotocol `bearer.<token>`) or a `ticket`.")
    user, token = TenantJWTAuthentication().authenticate_token(bearer, tenant)
    return listener_for(user, token, tenant)


class TicketAuthentication(BaseAuthentication):
    """DRF authentication by `?ticket=` (EventSource cannot send headers); after the bearer token."""

    def authenticate(self, request: Request) -> tuple[Any, Any] | None:
        ticket = request.query_params.get("ticket")
        if not ticket:
            return None
        tenant = tenant_of(request)
        bearer = tickets.redeem(tenant, ticket)
        if bearer is None:
            raise AuthenticationFailed(TICKET_REFUSED, code="ticket_invalid")
        return TenantJWTAuthentication().authenticate_token(bearer, tenant)
