from __future__ import annotations

from rest_framework import serializers

from tenant_app.notifications.models import Notification

MAX_ID = 2**63 - 1


class NotificationSerializer(serializers.ModelSerializer[Notification]):
    unread = serializers.BooleanField(read_only=True)

    class Meta:
        model = Notification
        fields = ["id", "kind", "title", "body", "data", "created_at", "read_at", "unread"]
        read_only_fields = fields


class MarkAllReadSerializer(serializers.Serializer[None]):
    up_to = serializers.IntegerField(
        min_value=1,
        max_value=MAX_ID,
        required=False,
        help_text="Mark only notifications with an id up to this one (the newest the client has shown).",
    )


class MarkedSerializer(serializers.Serializer[None]):
    marked = serializers.IntegerField(help_text="How many notifications were unread and are now read.")


class UnreadCountSerializer(serializers.Serializer[None]):
    unread = serializers.IntegerField()


class TicketSerializer(serializers.Serializer[None]):
    ticket = serializers.CharField(help_text="Pass as `?ticket=` to /ws/notifications/ or the stream; works once.")
    expires_in = serializers.IntegerField(help_text="Seconds left to use it.")
