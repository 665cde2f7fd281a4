"""Recording security events: the only way rows get into the audit log."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from tenant_app.audit.models import AuditEvent, AuditEventType
from tenantry_kernel.context import current_request_id


def record_security_event(
    request: HttpRequest | None,
    type_: AuditEventType,
    *,
    actor: Any = None,
    subject: str = "",
    **details: Any,
) -> AuditEvent:
    meta = request.META if request is not None else {}
    return AuditEvent.objects.create(
        type=type_,
        actor=actor if getattr(actor, "pk", None) else None,
        subject=subject[:254],
        ip_address=meta.get("REMOTE_ADDR") or None,
        user_agent=str(meta.get("HTTP_USER_AGENT", ""))[:300],
        request_id=current_request_id() or "",
        details=details,
    )
