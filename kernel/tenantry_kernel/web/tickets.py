"""Single-use tickets for clients that cannot send a token with the connection (a browser's EventSource or
WebSocket).

A signed-in client asks for a ticket and passes it as `?ticket=` when it opens the connection: a URL may be
logged on the way, so a ticket is worth one connection within a short time (`ttl` seconds), and only where it
was issued (`scope`: a store, a tenant's stream). Redis keeps the access token it stands for, under the
ticket's hash; redeeming it (GETDEL, atomic) yields that token, which is then checked like any other, so a
ticket is never worth more than its token (expiry, sign-out).
"""

from __future__ import annotations

import functools
import hashlib
import secrets
from dataclasses import dataclass

import redis
from django.conf import settings

from tenantry_kernel.web.problems import Problem

# Listed in the PROBLEMS of each app that redeems tickets (the same entry, so the registry takes it twice).
TICKET_INVALID = Problem(
    "ticket_invalid",
    401,
    "Invalid ticket",
    "The stream ticket is unknown, expired or used already; ask for a new one.",
)
MAX_TICKET_LENGTH = 100


@functools.cache
def _redis() -> redis.Redis:
    return redis.Redis.from_url(settings.REDIS_URL)


@dataclass(frozen=True)
class StreamTickets:
    """The tickets of one kind of stream: keys `tenantry:<namespace>:ticket:<scope>:<sha256>`."""

    namespace: str
    ttl_setting: str  # the setting with the seconds a ticket stays valid

    def _key(self, scope: str, ticket: str) -> str:
        digest = hashlib.sha256(ticket.encode()).hexdigest()
        return f"tenantry:{self.namespace}:ticket:{scope}:{digest}"

    def issue(self, scope: str, access_token: str) -> tuple[str, int]:
        """A new ticket for `scope` standing for `access_token`, and the seconds it is valid."""
        ttl = int(getattr(settings, self.ttl_setting))
        ticket = secrets.token_urlsafe(32)
        _redis().set(self._key(scope, ticket), access_token, ex=ttl)
        return ticket, ttl

    def redeem(self, scope: str, ticket: str) -> bytes | None:
        """The access token a ticket of `scope` stands for, once; None when unknown, used or expired."""
        if not ticket or len(ticket) > MAX_TICKET_LENGTH:
            return None
        token: bytes | None = _redis().getdel(self._key(scope, ticket))  # type: ignore[assignment]  # sync client: bytes, not an awaitable
        return token
