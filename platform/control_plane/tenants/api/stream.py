"""GET /api/v1/tenants/<slug>/events/: a store's provisioning followed live, as Server-Sent Events.

`text/event-stream`: first the store's status as it is (event `status`: state, reason, URL, conditions), then
each change of it as another `status`, a comment every TENANT_EVENTS_HEARTBEAT seconds, and, once the store is
ready, failed or deleted, an `end` event, after which the stream closes. Each `status` has the status's
`version` as its id: a client that reconnects with `Last-Event-ID` (EventSource does) or `?last_event_id=` is
not sent the status it has already. Changes come from PostgreSQL NOTIFY (tenants.status_feed), never from polling.

Who: the store's members and platform staff; anyone else gets 404, as for a store that does not exist.
Authentication is the bearer token or, for EventSource (which cannot send headers), a single-use `?ticket=`
from POST .../events/ticket/. Bounds: TENANT_EVENTS_PER_USER open streams per user (429 beyond), and a stream
lasts at most TENANT_EVENTS_MAX_SECONDS or until the access token expires (an `expired` event, then it closes).
Every error is problem details before the stream starts; the view returns at once and the ASGI handler iterates
the stream afterwards, so no worker thread is held while it is open.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Any

from asgiref.sync import sync_to_async
from django.conf import settings
from django.http import Http404, StreamingHttpResponse
from django.urls import reverse
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.authentication import BaseAuthentication
from rest_framework.exceptions import AuthenticationFailed, Throttled, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from control_plane.accounts.authentication import PortalJWTAuthentication
from control_plane.accounts.identity import identity
from control_plane.tenants import selectors, stream_slots
from control_plane.tenants.api.serializers import StreamTicketSerializer
from control_plane.tenants.models import Tenant
from control_plane.tenants.status_feed import TERMINAL_STATES, hub, read_status, status_of
from tenantry_kernel.web.openapi import problems
from tenantry_kernel.web.sse import (
    CONTENT_TYPE,
    HEARTBEAT,
    JSONErrorsWhateverTheAccept,
    event_stream_response,
    retry_hint,
    sse_event,
)
from tenantry_kernel.web.tickets import StreamTickets

TICKETS = StreamTickets(namespace="tenant-events", ttl_setting="TENANT_EVENTS_TICKET_TTL")
TICKET_REFUSED = (
    "This ticket is unknown, used or expired; ask for a new one at POST /api/v1/tenants/<slug>/events/ticket/."
)
MAX_EVENT_ID_DIGITS = 20
SLOT_KIND = "tenant-events"

SLUG = OpenApiParameter("slug", str, OpenApiParameter.PATH, description="The store's slug, e.g. `acme`.")


def followed_tenant(request: Request, slug: str) -> Tenant:
    """The tenant whose stream the caller may follow: a member's store, or any for platform staff; else 404."""
    user = request.user
    if getattr(user, "is_staff", False):
        tenant = selectors.tenants_for_ops().filter(slug=slug).first()
    else:
        membership = selectors.membership_of(user, slug)
        tenant = membership.tenant if membership is not None else None
    if tenant is None:
        raise Http404(f"You are not a member of a store {slug!r}.")
    return tenant


class StreamTicketAuthentication(BaseAuthentication):
    """`?ticket=` (EventSource cannot send headers), redeemed for the access token it stands for; after the bearer."""

    def authenticate(self, request: Request) -> tuple[Any, Any] | None:
        ticket = request.query_params.get("ticket")
        if not ticket:
            return None
        slug = str((request.parser_context or {}).get("kwargs", {}).get("slug", ""))
        bearer = TICKETS.redeem(slug, ticket)
        if bearer is None:
            raise AuthenticationFailed(TICKET_REFUSED, code="ticket_invalid")
        return PortalJWTAuthentication().authenticate_bound_token(bearer, identity.binding.value_for(request._request))


class StreamTicketScheme(OpenApiAuthenticationExtension):  # type: ignore[no-untyped-call]  # untyped registry hook
    target_class = "control_plane.tenants.api.stream.StreamTicketAuthentication"
    name = "streamTicket"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "apiKey",
            "in": "query",
            "name": "ticket",
            "description": "A single-use ticket from POST /api/v1/tenants/{slug}/events/ticket/, for EventSource.",
        }


def _last_event_id(request: Request) -> int | None:
    raw = request.headers.get("Last-Event-ID") or request.query_params.get("last_event_id")
    if raw is None or raw == "":
        return None
    if not raw.isdigit() or len(raw) > MAX_EVENT_ID_DIGITS:
        raise ValidationError({"last_event_id": ["Give the id of the last event you received (a whole number)."]})
    return int(raw)


def _status_event(current: dict[str, Any]) -> str:
    return sse_event(current, name="status", event_id=current["version"])


async def status_stream(
    tenant: Tenant, last_seen: int | None, slot: stream_slots.Slot, ends_at: float, heartbeat: float
) -> AsyncIterator[str]:
    tenant_id = str(tenant.pk)
    changes: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    try:
        # Listen first, then read: a change in between comes both ways, and the older version is skipped.
        await hub().join(tenant_id, changes)
        yield retry_hint()
        current = await sync_to_async(read_status, thread_sensitive=False)(tenant_id) or status_of(tenant)
        sent = last_seen or 0
        while True:
            if current["version"] > sent:
                yield _status_event(current)
                sent = current["version"]
            if current["state"] in TERMINAL_STATES:
                yield sse_event({"state": current["state"], "url": current["url"]}, name="end")
                return
            current = {"version": 0}
            while current["version"] <= sent:
                remaining = ends_at - time.time()
                if remaining <= 0:
                    expired = {"message": "This stream reached its time limit; open it again to go on following."}
                    yield sse_event(expired, name="expired")
                    return
                try:
                    current = await asyncio.wait_for(changes.get(), timeout=min(heartbeat, remaining))
                except TimeoutError:
                    yield HEARTBEAT
    finally:
        # Also when Django cancels the stream because the client went away.
        hub().leave(tenant_id, changes)
        await sync_to_async(slot.give_back, thread_sensitive=False)()


STREAM_EXAMPLE = (
    "retry: 3000\n\n"
    "id: 1772442838000000\nevent: status\n"
    'data: {"slug": "acme", "state": "provisioning", "state_reason": "", "state_changed_at": "2026-03-02T09:13:58Z", '
    '"url": null, "conditions": [{"type": "DatabaseReady", "status": "True", "reason": "Migrated"}], '
    '"observed_generation": null, "version": 1772442838000000}\n\n'
    ": heartbeat\n\n"
    "id: 1772442845000000\nevent: status\n"
    'data: {"slug": "acme", "state": "ready", "state_reason": "provisioned", "state_changed_at": '
    '"2026-03-02T09:14:05Z", "url": "http://acme.localhost:8000/", "conditions": [{"type": "Ready", "status": '
    '"True", "reason": "Reconciled"}], "observed_generation": null, "version": 1772442845000000}\n\n'
    "event: end\n"
    'data: {"state": "ready", "url": "http://acme.localhost:8000/"}\n\n'
)
LAST_EVENT_ID = OpenApiParameter(
    "Last-Event-ID",
    str,
    OpenApiParameter.HEADER,
    description="Resume: the id of the last event received (EventSource sends it when it reconnects).",
)
LAST_EVENT_ID_QUERY = OpenApiParameter(
    "last_event_id", str, OpenApiParameter.QUERY, description="Resume, as `Last-Event-ID` (for a first connection)."
)


class TenantEventStream(APIView):
    authentication_classes = [PortalJWTAuthentication, StreamTicketAuthentication]
    content_negotiation_class = JSONErrorsWhateverTheAccept

    @extend_schema(
        summary="Follow a store's provisioning live",
        description=(
            "Server-Sent Events (`text/event-stream`) for the store's members and platform staff: event `status` "
            "with the store's state, reason, URL and conditions at once, then another at each change; a comment "
            "(`: heartbeat`) while nothing changes; once the store is `ready`, `failed` or `deleted`, event `end` "
            "and the stream closes. Each `status` has an id: with `Last-Event-ID` (or `?last_event_id=`) the one "
            "you have is not sent again. Authenticate with the bearer token or, from EventSource, a single-use "
            "`?ticket=` (POST .../events/ticket/). A stream lasts at most TENANT_EVENTS_MAX_SECONDS, or until the "
            "access token expires (event `expired`: open it again); a user holds at most TENANT_EVENTS_PER_USER "
            "open at once (429). Errors come before the stream, as problem details."
        ),
        parameters=[SLUG, LAST_EVENT_ID, LAST_EVENT_ID_QUERY],
        responses={
            (200, CONTENT_TYPE): OpenApiResponse(
                OpenApiTypes.STR,
                description="The stream of events (see above).",
                examples=[OpenApiExample("Provisioned", value=STREAM_EXAMPLE, media_type=CONTENT_TYPE)],
            ),
            **problems("invalid", "ticket_invalid", "too_many_streams"),
        },
    )
    def get(self, request: Request, slug: str) -> StreamingHttpResponse:
        tenant = followed_tenant(request, slug)
        last_seen = _last_event_id(request)
        ends_at = time.time() + settings.TENANT_EVENTS_MAX_SECONDS
        expires_at = getattr(request.auth, "get", lambda _name: None)("exp")
        if expires_at is not None:
            ends_at = min(ends_at, float(expires_at))
        slot = stream_slots.take(SLOT_KIND, request.user.pk, settings.TENANT_EVENTS_PER_USER, ends_at - time.time() + 5)
        if isinstance(slot, int):
            raise Throttled(
                wait=slot,
                detail=f"You have {settings.TENANT_EVENTS_PER_USER} live streams open already; close one first.",
                code="too_many_streams",
            )
        stream = status_stream(tenant, last_seen, slot, ends_at, settings.TENANT_EVENTS_HEARTBEAT)
        return event_stream_response(stream)


class TenantEventTicketView(APIView):
    @extend_schema(
        summary="Get a ticket for a store's live provisioning",
        description="A single-use ticket for the store's event stream, for a browser's EventSource (which cannot "
        "send the bearer token): `Location` is the stream, to open with `?ticket=` within `expires_in` seconds. "
        "For the store's members and platform staff.",
        parameters=[SLUG],
        request=None,
        responses={201: StreamTicketSerializer},
    )
    def post(self, request: Request, slug: str) -> Response:
        tenant = followed_tenant(request, slug)
        ticket, expires_in = TICKETS.issue(tenant.slug, str(request.auth))
        location = reverse("tenant-events", kwargs={"slug": tenant.slug})
        body = {"ticket": ticket, "expires_in": expires_in}
        return Response(body, status=status.HTTP_201_CREATED, headers={"Location": location})
