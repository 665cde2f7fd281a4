"""Every state change of a tenant record and of its members. Provisioning itself is the
provisioner's (`tenants.provisioner`), run by the tasks (`tenants.tasks`) these actions enqueue
once their transaction commits.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone
from rest_framework.exceptions import PermissionDenied, ValidationError

from control_plane.audit.actions import record
from control_plane.tenants.lifecycle import ALLOWED
from control_plane.tenants.models import (
    DeletionPolicy,
    Invitation,
    MemberRole,
    Membership,
    Plan,
    Tenant,
    TenantState,
    Tier,
)
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
    return locked


def mark_ready(tenant: Tenant, *, url: str, source: str = "provisioner") -> Tenant:
    """provisioning → ready at `url`; the workspace's OIDC client is registered and learns its members."""
    with transaction.atomic():
        locked = transition(tenant, TenantState.READY, url=url or None, reason="provisioned", source=source)
        # Until now the tenant app had no queue bound for this tenant: tell it who belongs now.
        for membership in locked.memberships.select_related("user").order_by("id"):
            _emit_member_change(locked, membership.user.email, None, membership.role, name=membership.user.full_name)
        for invitation in locked.invitations.filter(accepted_at__isnull=True, revoked_at__isnull=True):
            _emit_member_change(locked, invitation.email, None, invitation.role)
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
        Invitation.objects.filter(tenant=locked, accepted_at__isnull=True, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
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


# -- members --------------------------------------------------------------------------------

# Portal role → the tenant app's built-in role (tenant_app.access.permission_catalog.BUILTIN_ROLES). A
# billing member manages payment in the portal only and has no account in the workspace.
WORKSPACE_ROLES: dict[str, str | None] = {
    MemberRole.OWNER: "owner",
    MemberRole.ADMIN: "admin",
    MemberRole.BILLING: None,
}
MANAGERS = frozenset({MemberRole.OWNER, MemberRole.ADMIN})
WORKSPACE_STATES = frozenset({TenantState.READY, TenantState.SUSPENDED})


def _emit_member_change(tenant: Tenant, email: str, old_role: str | None, new_role: str | None, name: str = "") -> None:
    """The member event the tenant app consumes, if the change matters to the workspace and it exists.

    Before the tenant is ready nothing is sent: `mark_ready` sends everyone at once.
    """
    if tenant.state not in WORKSPACE_STATES:
        return
    before = WORKSPACE_ROLES.get(old_role) if old_role else None
    after = WORKSPACE_ROLES.get(new_role) if new_role else None
    if before == after:
        return
    if after is None:
        emit("member.removed", {"email": email}, subject=f"member/{email}", tenant=tenant.slug)
    elif before is None:
        data = {"email": email, "role": after, **({"name": name[:150]} if name else {})}
        emit("member.invited", data, subject=f"member/{email}", tenant=tenant.slug)
    else:
        emit("member.role_changed", {"email": email, "role": after}, subject=f"member/{email}", tenant=tenant.slug)


def role_of(tenant: Tenant, user: Any) -> str | None:
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    membership = Membership.objects.filter(tenant=tenant, user=user).only("role").first()
    return membership.role if membership is not None else None


def _require_manager(tenant: Tenant, actor: Any, *, granting: str | None = None, touching: str | None = None) -> str:
    """The actor's role, if they may manage members; only owners grant, change or remove ownership."""
    role = role_of(tenant, actor)
    if role not in MANAGERS:
        raise PermissionDenied("Only the store's owners and admins manage its members.")
    if MemberRole.OWNER in (granting, touching) and role != MemberRole.OWNER:
        raise PermissionDenied("Only an owner can make someone an owner or change an owner's membership.")
    assert role is not None
    return role


def _require_active(tenant: Tenant) -> None:
    if tenant.state in (TenantState.DELETING, TenantState.DELETED):
        raise Conflict(f"Tenant {tenant.slug!r} is {tenant.state}; its members cannot change.", code="tenant_deleted")


def _token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def invite_member(
    tenant: Tenant, *, email: str, role: str, actor: Any, request: HttpRequest | None = None
) -> Invitation:
    """An invitation to `email`, mailed by the worker once the transaction commits (`tenants.emails`).

    No token leaves this function: the worker gives the invitation its token when it mails the link
    (`issue_invitation_token`). Inviting an address with an open invitation replaces it (a re-send).
    """
    from control_plane.accounts.models import normalize_email

    email = normalize_email(email)
    if role not in MemberRole.values:
        raise ValidationError({"role": [f"Unknown role {role!r}; choose one of {', '.join(MemberRole.values)}."]})
    _require_active(tenant)
    _require_manager(tenant, actor, granting=role)
    from control_plane.tenants import tasks  # which imports this module

    with transaction.atomic():
        locked = Tenant.objects.select_for_update().get(pk=tenant.pk)
        if Membership.objects.filter(tenant=locked, user__email=email).exists():
            raise Conflict(f"{email} is already a member of {locked.slug}.", code="already_member")
        now = timezone.now()
        previous = (
            Invitation.objects.select_for_update()
            .filter(tenant=locked, email=email, accepted_at__isnull=True, revoked_at__isnull=True)
            .first()
        )
        if previous is not None:
            previous.revoked_at = now
            previous.save(update_fields=["revoked_at"])
        invitation = Invitation.objects.create(
            tenant=locked,
            email=email,
            role=role,
            # The row needs a digest before any link exists: this one's token is thrown away, so no link opens
            # the invitation until the worker mails one.
            token_digest=_token_digest(secrets.token_urlsafe(32)),
            invited_by=actor,
            expires_at=now + timedelta(days=settings.TENANT_INVITATION_DAYS),
        )
        _emit_member_change(locked, email, previous.role if previous else None, role)
        record(
            "member.invited", actor=actor, tenant=locked.slug, target=invitation, data={"email": email, "role": role},
            request=request, source="portal",
        )  # fmt: skip
        enqueue_on_commit(tasks.send_invitation, invitation.pk)
    return invitation


def issue_invitation_token(invitation_id: int) -> tuple[Invitation, str] | None:
    """A new token for the open invitation, whose digest replaces the last one's; None if it is closed or expired.

    The worker calls this when it mails the invitation (`tenants.tasks.send_invitation`): the raw token exists
    only there and in the mail. An earlier link of the invitation stops working.
    """
    with transaction.atomic():
        invitation = (
            Invitation.objects.select_for_update(of=("self",))
            .select_related("tenant", "invited_by")
            .filter(pk=invitation_id)
            .first()
        )
        if invitation is None or not invitation.is_open or invitation.expires_at <= timezone.now():
            return None
        token = secrets.token_urlsafe(32)
        invitation.token_digest = _token_digest(token)
        invitation.save(update_fields=["token_digest"])
    return invitation, token


def revoke_invitation(invitation: Invitation, *, actor: Any, request: HttpRequest | None = None) -> Invitation:
    _require_manager(invitation.tenant, actor, granting=invitation.role)
    with transaction.atomic():
        locked = Invitation.objects.select_for_update().select_related("tenant").get(pk=invitation.pk)
        if not locked.is_open:
            raise Conflict("The invitation was accepted or revoked already.", code="invitation_closed")
        locked.revoked_at = timezone.now()
        locked.save(update_fields=["revoked_at"])
        _emit_member_change(locked.tenant, locked.email, locked.role, None)
        record(
            "member.invitation_revoked", actor=actor, tenant=locked.tenant.slug, target=locked,
            data={"email": locked.email}, request=request, source="portal",
        )  # fmt: skip
    return locked


def open_invitation(token: str) -> Invitation:
    """The open, unexpired invitation the token belongs to, or ValidationError `invalid_invitation`."""
    invitation = (
        Invitation.objects.select_related("tenant")
        .filter(token_digest=_token_digest(token), accepted_at__isnull=True, revoked_at__isnull=True)
        .first()
    )
    if invitation is None or invitation.expires_at <= timezone.now():
        raise ValidationError(
            {"token": ["This invitation link is invalid, used or expired; ask for a new invitation."]},
            code="invalid_invitation",
        )
    return invitation


def accept_invitation(token: str, *, user: Any, request: HttpRequest | None = None) -> Membership:
    """The signed-in `user` (whose email the invitation names) becomes a member with its role."""
    from control_plane.accounts.models import normalize_email

    invitation = open_invitation(token)
    if normalize_email(user.email) != invitation.email:
        raise PermissionDenied(f"This invitation is for {invitation.email}; sign in with that address to accept it.")
    _require_active(invitation.tenant)
    with transaction.atomic():
        locked = Invitation.objects.select_for_update().select_related("tenant").get(pk=invitation.pk)
        if not locked.is_open:
            raise ValidationError({"token": ["This invitation was used or revoked."]}, code="invalid_invitation")
        membership, created = Membership.objects.get_or_create(
            tenant=locked.tenant, user=user, defaults={"role": locked.role}
        )
        locked.accepted_at = timezone.now()
        locked.accepted_by = user
        locked.save(update_fields=["accepted_at", "accepted_by"])
        record(
            "member.joined", actor=user, tenant=locked.tenant.slug, target=membership,
            data={"email": user.email, "role": membership.role, "created": created}, request=request, source="portal",
        )  # fmt: skip
    return membership


def _owners_locked(tenant: Tenant) -> list[Membership]:
    return list(Membership.objects.select_for_update().filter(tenant=tenant, role=MemberRole.OWNER).order_by("id"))


def _guard_last_owner(tenant: Tenant, membership: Membership) -> None:
    owners = _owners_locked(tenant)
    if membership.role == MemberRole.OWNER and [o.pk for o in owners] == [membership.pk]:
        raise Conflict(
            f"{membership.user.email} is the last owner of {tenant.slug}; make someone else an owner first.",
            code="last_owner",
        )


def change_member_role(
    membership: Membership, role: str, *, actor: Any, request: HttpRequest | None = None
) -> Membership:
    if role not in MemberRole.values:
        raise ValidationError({"role": [f"Unknown role {role!r}; choose one of {', '.join(MemberRole.values)}."]})
    tenant = membership.tenant
    _require_active(tenant)
    _require_manager(tenant, actor, granting=role, touching=membership.role)
    with transaction.atomic():
        locked = Membership.objects.select_for_update().select_related("user", "tenant").get(pk=membership.pk)
        previous = locked.role
        if previous == role:
            return locked
        if previous == MemberRole.OWNER:
            _guard_last_owner(locked.tenant, locked)
        locked.role = role
        locked.save(update_fields=["role"])
        _emit_member_change(locked.tenant, locked.user.email, previous, role, name=locked.user.full_name)
        record(
            "member.role_changed", actor=actor, tenant=tenant.slug, target=locked,
            data={"email": locked.user.email, "from": previous, "to": role}, request=request, source="portal",
        )  # fmt: skip
    return locked


def remove_member(membership: Membership, *, actor: Any, request: HttpRequest | None = None) -> None:
    """Remove a member (managers), or leave (anyone may remove themselves) — never the last owner."""
    tenant = membership.tenant
    _require_active(tenant)
    if membership.user_id != getattr(actor, "pk", None):
        _require_manager(tenant, actor, touching=membership.role)
    with transaction.atomic():
        locked = Membership.objects.select_for_update().select_related("user", "tenant").get(pk=membership.pk)
        _guard_last_owner(locked.tenant, locked)
        _emit_member_change(locked.tenant, locked.user.email, locked.role, None)
        record(
            "member.removed", actor=actor, tenant=tenant.slug, target=locked,
            data={"email": locked.user.email, "role": locked.role}, request=request, source="portal",
        )  # fmt: skip
        locked.delete()
