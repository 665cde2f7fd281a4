"""The WebSocket `/ws/notifications/`: a signed-in user's notifications, live, after a backlog they missed.

Connecting: the store is picked from the Host header (shared tier) or is the process's own
(dedicated), as for HTTP. The access token comes as the subprotocol `bearer.<jwt>` offered
beside `tenantry.notifications.v1` (browsers cannot set Authorization on a WebSocket; the
server answers with `tenantry.notifications.v1` only, never echoing the token), or a ticket
as `?ticket=`. `?last_event_id=N` asks first for the stored notifications after id N.

A refused connection is accepted and closed at once, so the client sees why (the close code
and reason) rather than a bare failed handshake:
  4400 bad request (host or parameters)   4401 no, bad, expired or other store's token / ticket
  4403 not allowed by policy              4404 no store at this host
  4503 the store is suspended or not served here (retry later)
An open connection is also closed with 4401 when its access token expires: reconnect with a
fresh token and the last id seen.

Server → client: `{"type": "ready", "user", "groups"}`, then `{"type": "notification", "id",
"kind", "title", "body", "data", "created_at"}` for each backlog and live notification (no
duplicates), `{"type": "backlog_truncated", "last_event_id"}` when the backlog held more than
one batch (resume from that id, or page the list API), `{"type": "pong"}`, `{"type":
"subscribed" | "unsubscribed", "group"}` and `{"type": "error", "code", "message"}`.
Client → server: `{"type": "ping"}`, `{"type": "subscribe" | "unsubscribe", "group": name}` for
the groups in `ready` only (its user's, role's and store's); any other group, another store's
above all, is refused with the error code `subscription_refused` and not joined.

Connections do not listen to the channel layer one by one: the process's hub (notifications.hub)
joins each group once and hands its pushes to the connections in it.
"""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any
from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings
from django.http.request import split_domain_port, validate_host
from rest_framework.exceptions import APIException

from tenant_app.notifications.hub import hub
from tenant_app.notifications.listeners import Listener, authenticate_listener
from tenant_app.notifications.messages import Delivery
from tenant_app.notifications.selectors import Backlog, backlog_after
from tenant_app.tenancy.context import TenantUnavailable, as_tenant
from tenant_app.tenancy.routes import routes

SUBPROTOCOL = "tenantry.notifications.v1"
BEARER_PREFIX = "bearer."

BAD_REQUEST, UNAUTHENTICATED, FORBIDDEN, NO_STORE, UNAVAILABLE = 4400, 4401, 4403, 4404, 4503
# Close reasons are at most 123 bytes (RFC 6455).
_REASON_BYTES = 123


class Refused(Exception):
    """The connection is closed with this code and reason."""

    def __init__(self, code: int, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason.encode()[:_REASON_BYTES].decode(errors="ignore")


def _allowed_hosts() -> list[str]:
    # As HttpRequest.get_host(): with DEBUG and no ALLOWED_HOSTS, the local names.
    if settings.DEBUG and not settings.ALLOWED_HOSTS:
        return [".localhost", "127.0.0.1", "[::1]"]
    return list(settings.ALLOWED_HOSTS)


def tenant_at(host_header: str) -> str:
    """The tenant a connection with this Host header is for, as TenantMiddleware picks it for HTTP."""
    domain, _ = split_domain_port(host_header)
    if not domain or not validate_host(domain, _allowed_hosts()):
        raise Refused(BAD_REQUEST, f"This service does not answer to the host {host_header[:60]!r}.")
    if settings.TENANCY_MODE == "dedicated":
        return str(settings.TENANT_SLUG)
    route = None if domain in settings.TENANCY_SERVICE_HOSTS else routes.lookup(domain)
    if route is None:
        raise Refused(NO_STORE, f"No store is served at {domain[:60]}; check the address.")
    if route.suspended:
        raise Refused(UNAVAILABLE, "This store is suspended; its owner can resume it in the Tenantry portal.")
    return route.tenant


def _sign_in(host_header: str, bearer: bytes | None, ticket: str | None) -> Listener:
    tenant = tenant_at(host_header)
    try:
        with as_tenant(tenant):
            return authenticate_listener(tenant, bearer=bearer, ticket=ticket)
    except TenantUnavailable as unavailable:
        raise Refused(UNAVAILABLE, "This store cannot be served here now; retry later.") from unavailable
    except APIException as refused:
        code = UNAUTHENTICATED if refused.status_code == 401 else FORBIDDEN
        detail: Any = refused.detail
        if isinstance(detail, dict) and "detail" in detail:  # simplejwt's InvalidToken carries more
            detail = detail["detail"]
        raise Refused(code, str(detail)) from refused


def _backlog(listener: Listener, after: int) -> Backlog:
    with as_tenant(listener.tenant):
        return backlog_after(listener.user_id, after)


def _last_event_id(query: dict[str, list[str]]) -> int:
    raw = (query.get("last_event_id") or ["0"])[-1]
    if not raw.isdigit() or len(raw) > 18:
        raise Refused(BAD_REQUEST, "last_event_id must be the id of a notification (a whole number).")
    return int(raw)


class NotificationConsumer(AsyncJsonWebsocketConsumer):
    # An alias no layer has, so Channels opens no channel for each connection: the process's hub
    # (notifications.hub) listens to the channel layer for all of them.
    channel_layer_alias = "notifications-hub"
    listener: Listener | None = None
    delivery: Delivery | None = None
    _expiry: asyncio.Task[None] | None = None
    _closing = False

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.joined: list[str] = []

    async def connect(self) -> None:
        offered = [str(protocol) for protocol in self.scope.get("subprotocols", [])]
        subprotocol = SUBPROTOCOL if SUBPROTOCOL in offered else None
        headers = dict(self.scope.get("headers", []))
        query = parse_qs(self.scope.get("query_string", b"").decode("latin-1"))
        bearer = next((p.removeprefix(BEARER_PREFIX).encode() for p in offered if p.startswith(BEARER_PREFIX)), None)
        ticket = query["ticket"][-1] if "ticket" in query else None
        host = headers.get(b"host", b"").decode("latin-1")
        try:
            after = _last_event_id(query)
            listener = await database_sync_to_async(_sign_in)(host, bearer, ticket)
        except Refused as refused:
            await self.accept(subprotocol)
            await self._close(refused.code, refused.reason)
            return

        # Groups first, then the backlog: what is created in between comes both ways, in either order,
        # and Delivery sends it once (live pushes wait until the backlog has gone out).
        self.listener, self.delivery = listener, Delivery(listener.user_id)
        try:
            for group in listener.groups:
                await self._join(group)
            await self.accept(subprotocol)
            await self.send_json({"type": "ready", "user": listener.user_id, "groups": list(listener.groups)})
            backlog = await database_sync_to_async(_backlog)(listener, after)
        except BaseException:
            # A consumer that fails here gets no disconnect: it must not stay in the hub's groups.
            await self.disconnect(1011)
            raise
        for message in self.delivery.backlog(backlog.messages):
            await self.send_json(message)
        if backlog.truncated:
            await self.send_json({"type": "backlog_truncated", "last_event_id": backlog.messages[-1]["id"]})
        while held := self.delivery.release():
            for message in held:
                await self.send_json(message)
        self._expiry = asyncio.create_task(self._close_when_expired(listener.expires_at))

    async def _join(self, group: str) -> None:
        if group not in self.joined:
            self.joined.append(group)
            await hub().join(group, self)

    async def _leave(self, group: str) -> None:
        if group in self.joined:
            self.joined.remove(group)
            await hub().leave(group, self)

    async def _close_when_expired(self, expires_at: float) -> None:
        await asyncio.sleep(max(0.0, expires_at - time.time()))
        await self._close(UNAUTHENTICATED, "The access token expired; reconnect with a new one.")

    async def _close(self, code: int, reason: str) -> None:
        if not self._closing:
            self._closing = True
            await self.close(code, reason)

    async def disconnect(self, code: int) -> None:
        self._closing = True
        if self._expiry is not None:
            self._expiry.cancel()
        for group in list(self.joined):
            await self._leave(group)

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None, **kwargs: Any) -> None:
        if self.listener is None or self._closing:
            return  # refused, or closing: nothing more is answered
        try:
            content = json.loads(text_data) if text_data is not None else None
        except ValueError:
            content = None
        if not isinstance(content, dict):
            await self._error("bad_message", "Send JSON objects with a `type`: ping, subscribe or unsubscribe.")
            return
        await self.receive_json(content)

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        kind = content.get("type")
        if kind == "ping":
            await self.send_json({"type": "pong"})
        elif kind in ("subscribe", "unsubscribe"):
            await self._subscription(kind, content.get("group"))
        else:
            await self._error("unknown_type", "Known message types are ping, subscribe and unsubscribe.")

    async def _subscription(self, kind: str, group: Any) -> None:
        assert self.listener is not None
        if not isinstance(group, str) or group not in self.listener.groups:
            await self._error(
                "subscription_refused",
                f"You may only subscribe to your own groups: {', '.join(self.listener.groups)}.",
                group=group if isinstance(group, str) else None,
            )
            return
        await (self._join(group) if kind == "subscribe" else self._leave(group))
        await self.send_json({"type": f"{kind}d", "group": group})

    async def _error(self, code: str, message: str, **extra: Any) -> None:
        await self.send_json({"type": "error", "code": code, "message": message, **extra})

    async def push(self, message: dict[str, Any]) -> None:
        """A push to one of the connection's groups, from the hub: sent if it is for this user and new."""
        if self.delivery is None or self._closing:
            return
        live = self.delivery.live_json(message)
        if live is not None:
            await self.send(text_data=live)


class UnknownPath(AsyncJsonWebsocketConsumer):
    """Any other WebSocket path: closed with 4404 rather than a routing error in the logs."""

    async def connect(self) -> None:
        await self.accept()
        await self.close(NO_STORE, "There is no WebSocket endpoint at this path; use /ws/notifications/.")
