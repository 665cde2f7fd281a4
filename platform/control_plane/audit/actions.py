from __future__ import annotations

from typing import Any

from django.db import models
from django.http import HttpRequest

from control_plane.audit.models import AuditEvent


def record(
    action: str,
    *,
    actor: Any = None,
    tenant: str = "",
    target: models.Model | None = None,
    data: dict[str, Any] | None = None,
    request: HttpRequest | None = None,
    source: str = "system",
) -> AuditEvent:
    """Append one audit entry; call it inside the transaction of the change it records."""
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    return AuditEvent.objects.create(
        action=action,
        actor=actor,
        actor_email=getattr(actor, "email", "") or "",
        tenant=tenant,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        data=data or {},
        ip_address=request.META.get("REMOTE_ADDR") if request is not None else None,
        source=source,
    )
