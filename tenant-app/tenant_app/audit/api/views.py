"""The audit log, newest first, for the workspace's administrators."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import generics, serializers
from rest_framework.request import Request
from rest_framework.response import Response

from tenant_app.access.permissions import ActionPermission
from tenant_app.audit.models import AuditEvent
from tenantry_kernel.web.openapi import response_example
from tenantry_kernel.web.pagination import CursorPage


@extend_schema_serializer(
    examples=[
        response_example(
            "A sign-in",
            {
                "id": 981,
                "occurred_at": "2026-03-04T08:29:40Z",
                "type": "signed_in",
                "actor": "dana@example.com",
                "subject": "dana@example.com",
                "ip_address": "203.0.113.7",
                "request_id": "4bf92f3577b34da6a3ce929d0e0e4736",
                "details": {"method": "password+2fa"},
            },
        )
    ]
)
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

    @extend_schema(
        summary="List audit events",
        description="Who did what in the workspace (sign-ins, role and member changes, …), newest first; "
        "`?type=` keeps one type.",
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> Any:
        queryset = AuditEvent.objects.select_related("actor")
        event_type = self.request.query_params.get("type")
        return queryset.filter(type=event_type) if event_type else queryset
