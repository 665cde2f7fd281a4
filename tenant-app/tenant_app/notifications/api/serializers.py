from __future__ import annotations

from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers

from tenant_app.notifications.models import Notification
from tenantry_kernel.web.openapi import request_example, response_example

MAX_ID = 2**63 - 1

# The examples of the OpenAPI schema (tenantry_kernel.web.openapi).
NOTIFICATION = {
    "id": 431,
    "kind": "order.paid",
    "title": "Order paid",
    "body": "Order 3f1c2a9e was paid: 49.80 EUR.",
    "data": {"order": "3f1c2a9e-6b7d-4e8f-9a0b-1c2d3e4f5a6b"},
    "created_at": "2026-03-04T08:31:11Z",
    "read_at": None,
    "unread": True,
}


@extend_schema_serializer(examples=[response_example("An order paid", NOTIFICATION)])
class NotificationSerializer(serializers.ModelSerializer[Notification]):
    unread = serializers.BooleanField(read_only=True)

    class Meta:
        model = Notification
        fields = ["id", "kind", "title", "body", "data", "created_at", "read_at", "unread"]
        read_only_fields = fields


@extend_schema_serializer(examples=[request_example("Everything", {}), request_example("Up to one", {"up_to": 431})])
class MarkAllReadSerializer(serializers.Serializer[None]):
    up_to = serializers.IntegerField(
        min_value=1,
        max_value=MAX_ID,
        required=False,
        help_text="Mark only notifications with an id up to this one (the newest the client has shown).",
    )


@extend_schema_serializer(examples=[response_example("Three", {"marked": 3})])
class MarkedSerializer(serializers.Serializer[None]):
    marked = serializers.IntegerField(help_text="How many notifications were unread and are now read.")


@extend_schema_serializer(examples=[response_example("Three", {"unread": 3})])
class UnreadCountSerializer(serializers.Serializer[None]):
    unread = serializers.IntegerField()


@extend_schema_serializer(examples=[response_example("A ticket", {"ticket": "tk_9f2c1e7a4b3d", "expires_in": 30})])
class TicketSerializer(serializers.Serializer[None]):
    ticket = serializers.CharField(help_text="Pass as `?ticket=` to /ws/notifications/ or the stream; works once.")
    expires_in = serializers.IntegerField(help_text="Seconds left to use it.")
