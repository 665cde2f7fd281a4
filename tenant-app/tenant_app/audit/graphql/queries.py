from __future__ import annotations

from typing import Any

import strawberry
import strawberry_django
from django.db.models import QuerySet
from strawberry import Info
from strawberry_django.relay import DjangoCursorConnection

from tenant_app.access.graphql.permissions import visible
from tenant_app.audit.graphql.types import AuditEventFilter, AuditEventType
from tenant_app.audit.models import AuditEvent


def resolve_audit_events(info: Info[Any, Any]) -> QuerySet[AuditEvent]:
    return visible(info, "audit.view", AuditEvent.objects.order_by("-occurred_at", "-id"))


@strawberry.type
class AuditQuery:
    audit_events: DjangoCursorConnection[AuditEventType] = strawberry_django.connection(
        resolver=resolve_audit_events, filters=AuditEventFilter, description="The audit log, newest first."
    )
