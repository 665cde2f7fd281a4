"""Every change of who belongs to a tenant: its members and their roles, and the invitations that add them.

Each change the tenant's workspace needs to know of is announced to it as a `member.*` event, once the
workspace exists (`announce_all` tells it everyone when the tenant becomes ready).
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from rest_framework.exceptions import PermissionDenied, ValidationError

from control_plane.audit.actions import record
from control_plane.tenants.models import Invitation, MemberRole, Membership, Tenant, TenantState
from tenantry_kernel.celery import enqueue_on_commit
from tenantry_kernel.events.outbox import emit
from tenantry_kernel.web.exceptions import Conflict

if TYPE_CHECKING:
    from control_plane.accounts.models import User

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

    Before the tenant is ready nothing is sent: `announce_all` sends everyone at once.
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


def announce_all(tenant: Tenant) -> None:
    """Tell the tenant's new workspace of every member and open invitation (`lifecycle.mark_ready`)."""
    for membership in tenant.memberships.select_related("user").order_by("id"):
        _emit_member_change(tenant, membership.user.email, None, membership.role, name=membership.user.full_name)
    for invitation in tenant.invitations.filter(accepted_at__isnull=True, revoked_at__isnull=True):
        _emit_member_change(tenant, invitation.email, None, invitation.role)


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


def create_invited_account(
    token: str, *, password: str, full_name: str = "", request: HttpRequest | None = None
) -> User:
    """A portal account for the address the open invitation `token` names, verified: the invitation reached it.

    For someone without an account, before `accept_invitation`; the accounts app's `create_user` raises its
    per-field errors (code `email_taken`, a weak password).
    """
    from control_plane.accounts.actions import create_user

    invitation = open_invitation(token)
    with transaction.atomic():
        user = create_user(email=invitation.email, password=password, full_name=full_name, request=request)
        user.email_verified_at = invitation.created_at
        user.save(update_fields=["email_verified_at"])
    return user


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


def revoke_open_invitations(tenant: Tenant) -> None:
    """Close every open invitation of a tenant that is gone (`lifecycle.mark_deleted`)."""
    Invitation.objects.filter(tenant=tenant, accepted_at__isnull=True, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
