"""Every state change of a tenant record: creation, the moves of its state machine (`tenants.lifecycle`),
its plan and its deletion. Provisioning itself is the provisioner's (`tenants.provisioner`), run by the
tasks (`tenants.tasks`) these actions enqueue once their transaction commits.
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone
from rest_framework.exceptions import ValidationError

from control_plane.audit.actions import record
from control_plane.tenants.actions import members
from control_plane.tenants.lifecycle import ALLOWED, can_move
from control_plane.tenants.models import DeletionPolicy, MemberRole, Membership, Plan, Tenant, TenantState, Tier
from control_plane.tenants.status_feed import announce
from tenantry_kernel.celery import enqueue_on_commit
from tenantry_kernel.events.outbox import emit
from tenantry_kernel.provisioning.naming import InvalidSlug, validate_slug
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
        if from_state != to_state and not can_move(from_state, to_state):
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
        announce(locked)  # to its live streams, once this commits
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


# -- tenants --------------------------------------------------------------------------------


def create_tenant(
    *,
    name: str,
    slug: str,
    owner: Any,
    plan: str = Plan.FREE,
    tier: str = Tier.SHARED,
    region: str = "local",
    request: HttpRequest | None = None,
    source: str = "portal",
) -> Tenant:
    """A pending tenant with `owner` as its first owner. Raises ValidationError on `slug` (per field)."""
    try:
        validate_slug(slug)
    except InvalidSlug as error:
        raise ValidationError({"slug": [str(error)]}, code="invalid_slug") from None
    with transaction.atomic():
        try:
            with transaction.atomic():
                tenant = Tenant.objects.create(name=name, slug=slug, plan=plan, tier=tier, region=region)
        except IntegrityError:
            raise ValidationError(
                {"slug": [f"The store address {slug!r} is taken; pick another (see the suggestions)."]},
                code="slug_taken",
            ) from None
        Membership.objects.create(tenant=tenant, user=owner, role=MemberRole.OWNER)
        record(
            "tenant.created",
            actor=owner,
            tenant=slug,
            target=tenant,
            data={"plan": plan, "tier": tier, "region": region},
            request=request,
            source=source,
        )
    return tenant


def _enqueue(task_name: str, tenant: Tenant) -> None:
    from control_plane.tenants import tasks

    enqueue_on_commit(getattr(tasks, task_name), str(tenant.pk))


def request_provisioning(
    tenant: Tenant, *, actor: Any = None, request: HttpRequest | None = None, source: str = "system", reason: str = ""
) -> Tenant:
    """pending/failed/ready → provisioning, and the provisioner asked (after commit) to make it real."""
    with transaction.atomic():
        locked = transition(
            tenant, TenantState.PROVISIONING, reason=reason, actor=actor, request=request, source=source
        )
        _enqueue("provision_tenant", locked)
    return locked


def record_status(
    tenant: Tenant,
    *,
    conditions: list[dict[str, Any]],
    observed_generation: int | None = None,
    shard: str = "",
) -> Tenant:
    """What the provisioner reports (conditions, generation, shard), without changing the state."""
    with transaction.atomic():
        locked = Tenant.objects.select_for_update().get(pk=tenant.pk)
        changed = []
        if locked.conditions != conditions:
            locked.conditions = conditions
            changed.append("conditions")
        if observed_generation is not None and locked.observed_generation != observed_generation:
            locked.observed_generation = observed_generation
            changed.append("observed_generation")
        if shard and locked.shard != shard:
            locked.shard = shard
            changed.append("shard")
        if changed:
            locked.save(update_fields=[*changed, "updated_at"])
            announce(locked)
    return locked


def mark_ready(tenant: Tenant, *, url: str, source: str = "provisioner") -> Tenant:
    """provisioning → ready at `url`; the workspace's OIDC client is registered and learns its members."""
    with transaction.atomic():
        locked = transition(tenant, TenantState.READY, url=url or None, reason="provisioned", source=source)
        # Until now the tenant app had no queue bound for this tenant: tell it who belongs now.
        members.announce_all(locked)
        register_oidc_client(locked)
    return locked


def mark_failed(tenant: Tenant, *, reason: str, source: str = "provisioner") -> Tenant:
    return transition(tenant, TenantState.FAILED, reason=reason[:500], source=source)


def suspend(
    tenant: Tenant, *, reason: str, actor: Any = None, request: HttpRequest | None = None, source: str = "ops"
) -> Tenant:
    """ready → suspended (unpaid bills, abuse): data kept, requests refused."""
    with transaction.atomic():
        locked = transition(tenant, TenantState.SUSPENDED, reason=reason, actor=actor, request=request, source=source)
        _enqueue("suspend_tenant", locked)
    return locked


def resume(
    tenant: Tenant, *, reason: str = "", actor: Any = None, request: HttpRequest | None = None, source: str = "ops"
) -> Tenant:
    with transaction.atomic():
        locked = transition(tenant, TenantState.READY, reason=reason, actor=actor, request=request, source=source)
        _enqueue("resume_tenant", locked)
    return locked


def change_plan(
    tenant: Tenant, plan: str, *, actor: Any = None, request: HttpRequest | None = None, source: str = "portal"
) -> Tenant:
    """A new plan for the tenant; the provisioner applies its limits (after commit)."""
    if plan not in Plan.values:
        raise ValidationError({"plan": [f"Unknown plan {plan!r}; choose one of {', '.join(Plan.values)}."]})
    with transaction.atomic():
        locked = Tenant.objects.select_for_update().get(pk=tenant.pk)
        if locked.state in (TenantState.DELETING, TenantState.DELETED):
            raise Conflict(f"Tenant {locked.slug!r} is {locked.state}; its plan cannot change.", code="tenant_deleted")
        previous = locked.plan
        if previous == plan:
            return locked
        locked.plan = plan
        locked.save(update_fields=["plan", "updated_at"])
        emit("tenant.plan_changed", {"from_plan": previous, "to_plan": plan}, subject=locked.slug, tenant=locked.slug)
        record(
            "tenant.plan_changed",
            actor=actor,
            tenant=locked.slug,
            target=locked,
            data={"from": previous, "to": plan},
            request=request,
            source=source,
        )
        if locked.state in (TenantState.READY, TenantState.SUSPENDED, TenantState.PROVISIONING):
            _enqueue("apply_plan", locked)
    tenant.refresh_from_db()
    return locked


def request_deletion(
    tenant: Tenant,
    *,
    policy: str = DeletionPolicy.DELETE,
    actor: Any = None,
    request: HttpRequest | None = None,
    source: str = "portal",
) -> Tenant:
    """→ deleting with `policy` (Delete drops the data, Retain keeps it); the provisioner removes the rest."""
    if policy not in DeletionPolicy.values:
        raise ValidationError({"deletion_policy": [f"Unknown deletion policy {policy!r}; use Delete or Retain."]})
    with transaction.atomic():
        locked = Tenant.objects.select_for_update().get(pk=tenant.pk)
        if locked.state == TenantState.DELETED:
            raise InvalidTransition(f"Tenant {locked.slug!r} is deleted already.")
        if locked.deletion_policy != policy:
            locked.deletion_policy = policy
            locked.save(update_fields=["deletion_policy", "updated_at"])
        locked = transition(
            locked, TenantState.DELETING, reason=f"deletion requested ({policy})", actor=actor, request=request,
            source=source,
        )  # fmt: skip
        _enqueue("delete_tenant", locked)
    tenant.refresh_from_db()
    return locked


def mark_deleted(tenant: Tenant, *, source: str = "provisioner") -> Tenant:
    with transaction.atomic():
        locked = transition(tenant, TenantState.DELETED, reason=f"deleted ({tenant.deletion_policy})", source=source)
        members.revoke_open_invitations(locked)
        remove_oidc_client(locked)
    return locked


# -- single sign-on clients -------------------------------------------------------------------
# OIDC_CLIENT_CALL_SITE: the one place where the provisioning lifecycle meets the identity provider.


def register_oidc_client(tenant: Tenant) -> None:
    from control_plane.oidc.actions import register_tenant_client

    register_tenant_client(tenant)


def remove_oidc_client(tenant: Tenant) -> None:
    from control_plane.oidc.actions import remove_tenant_client

    remove_tenant_client(tenant)
