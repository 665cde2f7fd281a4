"""Every state change of a tenant record. Provisioning itself is the provisioner's (`tenants.provisioner`)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from control_plane.audit.actions import record
from control_plane.tenants.lifecycle import ALLOWED
from control_plane.tenants.models import Tenant, TenantState
from tenantry_kernel.events.outbox import emit
from tenantry_kernel.web.exceptions import Conflict


class InvalidTransition(Conflict):
    default_code = "invalid_transition"
    default_detail = "The tenant cannot move to that state from its current one."


def transition(
    tenant: Tenant,
    to_state: str,
    *,
    reason: str = "",
    actor: Any = None,
    request: HttpRequest | None = None,
    source: str = "system",
    url: str | None = None,
) -> Tenant:
    """Move `tenant` to `to_state`, audited and announced (`tenant.state_changed`) in one transaction.

    Locks the row, so two concurrent moves serialize and the second sees the first's result.
    Moving to the state it is already in is a no-op (idempotent retries). Raises
    InvalidTransition (409 `invalid_transition`) for a move the state machine forbids.
    """
    with transaction.atomic():
        locked = Tenant.objects.select_for_update().get(pk=tenant.pk)
        from_state = locked.state
        if from_state == to_state and url in (None, locked.url):
            return locked
        if from_state != to_state and to_state not in ALLOWED[from_state]:
            raise InvalidTransition(
                f"Tenant {locked.slug!r} is {from_state}; it cannot become {to_state}. "
                f"From {from_state} it may become: {', '.join(sorted(ALLOWED[from_state])) or 'nothing'}."
            )
        locked.state = to_state
        locked.state_reason = reason[:500]
        locked.state_changed_at = timezone.now()
        fields = ["state", "state_reason", "state_changed_at", "updated_at"]
        if url is not None:
            locked.url = url
            fields.append("url")
        if to_state == TenantState.PROVISIONING and from_state != to_state:
            locked.provisioning_attempts += 1
            fields.append("provisioning_attempts")
        locked.save(update_fields=fields)
        payload: dict[str, Any] = {
            "name": locked.name,
            "plan": locked.plan,
            "from_state": from_state,
            "to_state": to_state,
            "reason": locked.state_reason,
        }
        if locked.url:
            payload["url"] = locked.url
        emit("tenant.state_changed", payload, subject=locked.slug, tenant=locked.slug)
        record(
            f"tenant.{to_state}",
            actor=actor,
            tenant=locked.slug,
            target=locked,
            data={"from": from_state, "reason": locked.state_reason},
            request=request,
            source=source,
        )
    tenant.refresh_from_db()
    return locked
