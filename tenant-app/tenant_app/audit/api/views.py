"""The audit log, newest first, for the workspace's administrators."""

from __future__ import annotations

from typing import Any

from rest_framework import generics, serializers

from tenant_app.access.permissions import ActionPermission
from tenantry_kernel.web.pagination import CursorPage
from tenant_app.audit.models import AuditEvent


class AuditEventSerializer(serializers.ModelSerializer[AuditEvent]):
    actor = serializers.CharField(source="actor.email", default=None, read_only=True, allow_null=True)

    class Meta:
        model = AuditEvent
        fields = ["id", "occurred_at", "type", "actor", "subject", "ip_address", "request_id", "details"]


class NewestFirst(CursorPage):
    ordering = ("-occurred_at", "-id")


class AuditEventList(generics.ListAPIView[AuditEvent]):
    permission_classes = [ActionPermission]
    required_actions = {"GET": "audit.view"}
    serializer_class = AuditEventSerializer
    pagination_class = NewestFirst

    def get_queryset(self) -> Any:
        queryset = AuditEvent.objects.select_related("actor")
        event_type = self.request.query_params.get("type")
        return queryset.filter(type=event_type) if event_type else queryset
