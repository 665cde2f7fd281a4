"""Single-use tickets for /ws/notifications/ and the notification stream (tenantry_kernel.web.tickets), one store each.

A signed-in client asks for a ticket (POST /api/v1/notifications/tickets/) and passes it as `?ticket=` when it
opens the connection; a ticket is worth one connection within NOTIFICATIONS_TICKET_TTL seconds, and only on the
store that issued it.
"""

from __future__ import annotations

from tenantry_kernel.web.tickets import StreamTickets

_tickets = StreamTickets(namespace="notifications", ttl_setting="NOTIFICATIONS_TICKET_TTL")


def issue(tenant: str, access_token: str) -> tuple[str, int]:
    """A new ticket for this tenant standing for `access_token`, and the seconds it is valid."""
    return _tickets.issue(tenant, access_token)


def redeem(tenant: str, ticket: str) -> bytes | None:
    """The access token a ticket of this tenant stands for, once; None when unknown, used or expired."""
    return _tickets.redeem(tenant, ticket)
