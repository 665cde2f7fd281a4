"""Single-use tickets for clients that cannot send a token with the connection.

Browsers cannot set Authorization on a WebSocket or an EventSource. A signed-in client asks
for a ticket (POST /api/v1/notifications/tickets/) and passes it as `?ticket=` when it opens
the connection: a URL may be logged on the way, so a ticket is worth one connection within a
minute, and only on the store that issued it. Redis keeps the access token it stands for, under
the ticket's hash and the tenant; redeeming it (GETDEL, atomic) yields that token, which is then
checked like any other, so a ticket is never worth more than its token (expiry, sign-out).
"""

from __future__ import annotations

import functools
import hashlib
import secrets

import redis
from django.conf import settings


@functools.cache
def _redis() -> redis.Redis:
    return redis.Redis.from_url(settings.REDIS_URL)


def _key(tenant: str, ticket: str) -> str:
    digest = hashlib.sha256(ticket.encode()).hexdigest()
    return f"tenantry:notifications:ticket:{tenant}:{digest}"


def issue(tenant: str, access_token: str) -> tuple[str, int]:
    """A new ticket for this tenant standing for `access_token`, and the seconds it is valid."""
    ttl = settings.NOTIFICATIONS_TICKET_TTL
    ticket = secrets.token_urlsafe(32)
    _redis().set(_key(tenant, ticket), access_token, ex=ttl)
    return ticket, ttl


def redeem(tenant: str, ticket: str) -> bytes | None:
    """The access token a ticket of this tenant stands for, once; None when unknown, used or expired."""
    if not ticket or len(ticket) > 100:
        return None
    token: bytes | None = _redis().getdel(_key(tenant, ticket))  # type: ignore[assignment]  # sync client: bytes, not an awaitable
    return token
