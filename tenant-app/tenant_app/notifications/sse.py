"""GET /api/v1/notifications/stream/: the notifications as Server-Sent Events, where WebSockets cannot go.

`text/event-stream`: each notification is an event whose `id:` is the notification id and whose
`data:` is the same JSON a WebSocket client gets; `Last-Event-ID` (sent by EventSource when it
reconnects) or `?last_event_id=` resumes after that id; a comment line every
NOTIFICATIONS_SSE_HEARTBEAT seconds keeps proxies from closing an idle stream. Authentication
is the bearer token or, for EventSource (which cannot send headers), `?ticket=`. The stream
ends when the access token expires (an `expired` event first).

The view runs inside TenantMiddleware's transaction like any other, authenticates and returns;
the response body is an async generator the ASGI handler iterates afterwards, outside that
transaction, so its database reads open their own tenant transactions. It listens like a
WebSocket connection, through the process's hub in the user's groups, and leaves them when the
client goes away (Django cancels the generator on disconnect).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Any

from channels.db import database_sync_to_async
from django.conf import settings
from django.http import StreamingHttpResponse
from drf_spectacular.utils import extend_schema
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.views import APIView

from tenant_app.access.permissions import ActionPermission
from tenant_app.accounts.authentication import TenantJWTAuthentication
from tenant_app.accounts.tokens import tenant_of
from tenant_app.api import signed_in_user
from tenant_app.notifications.hub import hub
from tenant_app.notifications.listeners import Listener, TicketAuthentication, listener_for
from tenant_app.notifications.messages import Delivery
from tenant_app.notifications.selectors import Backlog, backlog_after
from tenant_app.tenancy.context import as_tenant
from tenantry_kernel.web.sse import (
    HEARTBEAT,
    JSONErrorsWhateverTheAccept,
    event_stream_response,
    retry_hint,
    sse_event,
)


def event(message: dict[str, Any], name: str | None = None) -> str:
    """One event; the id line only for notifications (EventSource then sends it back as Last-Event-ID)."""
    return sse_event(message, name=name, event_id=message["id"] if message.get("type") == "notification" else None)


def _backlog(listener: Listener, after: int) -> Backlog:
    with as_tenant(listener.tenant):
        return backlog_after(listener.user_id, after)


class StreamSubscriber:
    """An event stream's side of the hub: the user's new notifications, queued until the stream sends them."""

    def __init__(self, user_id: int) -> None:
        self.delivery = Delivery(user_id)
        self.queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue()

    async def push(self, message: dict[str, Any]) -> None:
        live = self.delivery.live(message)
        if live is not None:
            self.queue.put_nowait(live)


async def event_stream(listener: Listener, after: int, heartbeat: float) -> AsyncIterator[str]:
    subscriber = StreamSubscriber(listener.user_id)
    joined: list[str] = []
    try:
        # Groups first, then the backlog: what is created in between comes both ways, in either order,
        # and Delivery sends it once (live pushes wait until the backlog has gone out).
        for group in listener.groups:
            joined.append(group)
            await hub().join(group, subscriber)
        yield retry_hint()
        backlog = await database_sync_to_async(_backlog)(listener, after)
        for message in subscriber.delivery.backlog(backlog.messages):
            yield event(message)
        if backlog.truncated:
            last = backlog.messages[-1]["id"]
            yield event({"type": "backlog_truncated", "last_event_id": last}, "backlog_truncated")
        while held := subscriber.delivery.release():
            for message in held:
                yield event(message)
        while (remaining := listener.expires_at - time.time()) > 0:
            try:
                live = await asyncio.wait_for(subscriber.queue.get(), timeout=min(heartbeat, remaining))
            except TimeoutError:
                yield HEARTBEAT
                continue
            yield event(live)
        expired = {"type": "expired", "message": "The access token expired; reconnect with a new token or ticket."}
        yield event(expired, "expired")
    finally:
        # Also when Django cancels the stream because the client went away.
        for group in joined:
            await hub().leave(group, subscriber)


class NotificationStream(APIView):
    authentication_classes = [TenantJWTAuthentication, TicketAuthentication]
    permission_classes = [ActionPermission]
    required_actions = {"GET": "notifications.view"}
    content_negotiation_class = JSONErrorsWhateverTheAccept

    # A stream that stays open rather than an operation that answers: described in the list operation instead.
    @extend_schema(exclude=True)
    def get(self, request: Request) -> StreamingHttpResponse:
        user = signed_in_user(request)
        raw = request.headers.get("Last-Event-ID") or request.query_params.get("last_event_id") or "0"
        if not raw.isdigit() or len(raw) > 18:
            raise ValidationError({"last_event_id": ["Give the id of a notification (a whole number)."]})
        listener = listener_for(user, request.auth, tenant_of(request))
        stream = event_stream(listener, int(raw), settings.NOTIFICATIONS_SSE_HEARTBEAT)
        return event_stream_response(stream)
