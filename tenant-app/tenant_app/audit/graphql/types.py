from __future__ import annotations

import strawberry_django
from strawberry import auto, relay
from strawberry.scalars import JSON

from tenant_app.accounts.graphql.types import UserType
from tenant_app.audit.models import AuditEvent


@strawberry_django.type(AuditEvent, name="AuditEvent")
class AuditEventType(relay.Node):
    occurred_at: auto
    type: auto
    actor: UserType | None
    subject: auto
    ip_address: str | None
    user_agent: auto
    request_id: auto
    details: JSON


@strawberry_django.filter_type(AuditEvent, name="AuditEventFilter")
class AuditEventFilter:
    type: auto
