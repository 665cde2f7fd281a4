"""A user's own notifications: list (newest first, `?unread=true`), unread count, mark read; stream tickets."""

from __future__ import annotations

from typing import Any

import django_filters
from django.urls import reverse
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from tenant_app.access.permissions import ActionPermission
from tenant_app.access.policy import Context
from tenant_app.accounts.tokens import tenant_of
from tenant_app.api import signed_in_user
from tenant_app.notifications import actions, tickets
from tenant_app.notifications.api.serializers import (
    MarkAllReadSerializer,
    MarkedSerializer,
    NotificationSerializer,
    TicketSerializer,
    UnreadCountSerializer,
)
from tenant_app.notifications.models import Notification
from tenant_app.notifications.selectors import notifications_of, unread_count
from tenantry_kernel.web.pagination import CursorPage


class NotificationFilter(django_filters.FilterSet):
    unread = django_filters.BooleanFilter(
        field_name="read_at", lookup_expr="isnull", label="true: unread only; false: read only."
    )
    kind = django_filters.CharFilter(field_name="kind")

    class Meta:
        model = Notification
        fields = ["unread", "kind"]


class NewestFirst(CursorPage):
    ordering = "-id"


LIVE = (
    "Newest first; `?unread=true` for unread ones only. New notifications also arrive live: on the WebSocket "
    "`/ws/notifications/` (access token as the subprotocol `bearer.<token>` beside `tenantry.notifications.v1`, or a "
    "ticket as `?ticket=`) and as Server-Sent Events from `GET /api/v1/notifications/stream/` (bearer token or "
    "`?ticket=`); both resume after `last_event_id` (SSE: the `Last-Event-ID` header), the id of a notification."
)


@extend_schema_view(
    list=extend_schema(summary="List your notifications", description=LIVE),
    retrieve=extend_schema(summary="Read a notification", description="One of your notifications."),
)
class NotificationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[Notification]):
    """The signed-in user's notifications; anyone else's are not found."""

    permission_classes = [ActionPermission]
    required_actions = {
        "list": "notifications.view",
        "retrieve": "notifications.view",
        "unread_count": "notifications.view",
        "read": "notifications.update",
        "read_all": "notifications.update",
    }
    serializer_class = NotificationSerializer
    filterset_class = NotificationFilter
    pagination_class = NewestFirst
    lookup_value_regex = r"[0-9]{1,18}"

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):  # drf-spectacular reading the view for the schema
            return Notification.objects.none()
        action_name = self.required_actions.get(self.action or "list", "notifications.view")
        return notifications_of(signed_in_user(self.request), action_name, Context.of(self.request._request))

    @extend_schema(
        summary="Count your unread notifications",
        description="For a badge; it changes as notifications arrive and are read.",
        request=None,
        responses={200: UnreadCountSerializer},
    )
    @action(detail=False, methods=["get"], url_path="unread-count", filterset_class=None, pagination_class=None)
    def unread_count(self, request: Request) -> Response:
        return Response({"unread": unread_count(signed_in_user(request))})

    @extend_schema(
        summary="Mark a notification read",
        description="Marking a read one again changes nothing.",
        request=None,
        responses={200: NotificationSerializer},
    )
    @action(detail=True, methods=["post"])
    def read(self, request: Request, pk: str) -> Response:
        notification = actions.mark_read(signed_in_user(request), self.get_object())
        return Response(NotificationSerializer(notification).data)

    @extend_schema(
        summary="Mark your notifications read",
        description="All of them, or (`up_to`) those up to a notification's id: what a page showed, not what "
        "arrived since.",
        request=MarkAllReadSerializer,
        responses={200: MarkedSerializer},
    )
    @action(detail=False, methods=["post"], url_path="read-all", filterset_class=None, pagination_class=None)
    def read_all(self, request: Request) -> Response:
        form = MarkAllReadSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        marked = actions.mark_all_read(signed_in_user(request), up_to=form.validated_data.get("up_to"))
        return Response({"marked": marked})


class TicketView(APIView):
    """A single-use ticket for /ws/notifications/ or the event stream, for clients that cannot send a token."""

    permission_classes = [ActionPermission]
    required_actions = {"POST": "notifications.view"}

    @extend_schema(
        summary="Get a stream ticket",
        description="A single-use ticket for /ws/notifications/ or the event stream, for clients that cannot send a "
        "token there (a browser's WebSocket or EventSource); `Location` is the stream, to open with `?ticket=`.",
        request=None,
        responses={201: TicketSerializer},
    )
    def post(self, request: Request) -> Response:
        signed_in_user(request)
        ticket, expires_in = tickets.issue(tenant_of(request._request), str(request.auth))
        body = {"ticket": ticket, "expires_in": expires_in}
        return Response(body, status=status.HTTP_201_CREATED, headers={"Location": reverse("notification-stream")})
