"""Every change of roles, role assignments and policies: authorized, validated, audited.

Nobody hands on a permission they do not hold themselves, and only owners make or unmake owners.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.http import HttpRequest
from rest_framework.exceptions import ValidationError

from tenant_app.access import permission_catalog
from tenant_app.access.conditions import ConditionError, compile_condition
from tenant_app.access.models import Policy, Role
from tenant_app.access.policy import Context, Denied, access_changed, authorize, permissions_of, require
from tenant_app.audit.actions import record_security_event
from tenant_app.audit.models import AuditEventType
from tenantry_kernel.web.exceptions import Conflict

if TYPE_CHECKING:
    # Access sits below accounts: it reaches the user model through settings.AUTH_USER_MODEL, as Django's
    # own auth does, and names it only for the type checker.
    from tenant_app.accounts.models import User

OWNER = "owner"
# What may change on a built-in role; its name and permissions come from the catalog.
BUILTIN_EDITABLE = frozenset({"description", "requires_two_factor"})
ROLE_FIELDS = frozenset({"name", "description", "permissions", "requires_two_factor"})
POLICY_FIELDS = frozenset({"description", "effect", "actions", "roles", "condition", "enabled"})


def _invalid(field: str, message: str) -> ValidationError:
    return ValidationError({field: [message]})


def _checked_permissions(actor: User, permissions: Iterable[str]) -> list[str]:
    """Catalog permissions, in catalog order; the actor must hold each one (no escalation)."""
    wanted = set(permissions)
    if unknown := sorted(wanted - permission_catalog.PERMISSIONS.keys()):
        raise _invalid("permissions", f"Unknown permissions: {', '.join(unknown)}; see /api/v1/permissions/.")
    if reserved := sorted(wanted & permission_catalog.OWNER_ONLY):
        raise _invalid("permissions", f"Only the owner role holds {', '.join(reserved)}.")
    if beyond := sorted(wanted - permissions_of(actor)):
        raise Denied(f"You cannot hand on permissions you do not hold: {', '.join(beyond)}.")
    return [action for action in permission_catalog.PERMISSIONS if action in wanted]


def create_role(
    request: HttpRequest | None,
    actor: User,
    *,
    slug: str,
    name: str,
    description: str = "",
    permissions: Sequence[str] = (),
    requires_two_factor: bool = False,
) -> Role:
    require(actor, "roles.create", context=Context.of(request))
    checked = _checked_permissions(actor, permissions)
    try:
        with transaction.atomic():
            role = Role.objects.create(
                slug=slug,
                name=name,
                description=description,
                permissions=checked,
                requires_two_factor=requires_two_factor,
            )
    except IntegrityError as exc:
        raise _invalid("slug", f"A role with the slug {slug!r} exists; pick another.") from exc
    access_changed()
    record_security_event(
        request,
        AuditEventType.ROLE_CREATED,
        actor=actor,
        subject=role.slug,
        permissions=checked,
        requires_two_factor=requires_two_factor,
    )
    return role


def update_role(request: HttpRequest | None, actor: User, role: Role, **changes: Any) -> Role:
    """Change some of name, description, permissions, requires_two_factor (of built-in roles: only the last two)."""
    require(actor, "roles.update", role, Context.of(request))
    if unknown := sorted(changes.keys() - ROLE_FIELDS):
        raise TypeError(f"roles have no editable fields {unknown}")
    if "permissions" in changes:  # in catalog order, so the same set in another order is no change
        wanted = set(changes["permissions"])
        changes["permissions"] = [action for action in permission_catalog.PERMISSIONS if action in wanted] + sorted(
            wanted - permission_catalog.PERMISSIONS.keys()
        )
    with transaction.atomic():
        role = Role.objects.select_for_update().get(pk=role.pk)
        changed = {key: value for key, value in changes.items() if getattr(role, key) != value}
        if role.builtin and (fixed := sorted(changed.keys() - BUILTIN_EDITABLE)):
            message = "Built-in roles keep their name and permissions; create a custom role instead."
            raise ValidationError({key: [message] for key in fixed})
        if "permissions" in changed:
            changed["permissions"] = _checked_permissions(actor, changed["permissions"])
        history = {key: {"from": getattr(role, key), "to": value} for key, value in changed.items()}
        for key, value in changed.items():
            setattr(role, key, value)
        if changed:
            role.save(update_fields=[*changed, "updated_at"])
            access_changed()
            record_security_event(request, AuditEventType.ROLE_UPDATED, actor=actor, subject=role.slug, changes=history)
    return role


def delete_role(request: HttpRequest | None, actor: User, role: Role) -> None:
    require(actor, "roles.delete", role, Context.of(request))
    if role.builtin:
        raise Conflict("Built-in roles cannot be deleted.", code="builtin_role")
    with transaction.atomic():
        role = Role.objects.select_for_update().get(pk=role.pk)
        # Deleting a role under a policy would widen that policy to everyone.
        policies = list(role.policies.values_list("name", flat=True))
        members = role.users.count()
        if members or policies:
            raise Conflict(_in_use_message(members, policies), code="role_in_use")
        try:
            role.delete()
        except ProtectedError as exc:  # a member assigned since the count
            raise Conflict(_in_use_message(1, []), code="role_in_use") from exc
        access_changed()
        record_security_event(request, AuditEventType.ROLE_DELETED, actor=actor, subject=role.slug)


def _in_use_message(members: int, policies: list[str]) -> str:
    uses = [f"{members} member(s)"] if members else []
    uses += [f"policies {', '.join(policies)}"] if policies else []
    return f"This role is still used by {' and '.join(uses)}; move them to another role first."


def assign_role(request: HttpRequest | None, actor: User, user: User, role: Role) -> None:
    """Give `user` the role `role`; refused to those without roles.assign, and for owners to non-owners."""
    context = Context.of(request)
    require(actor, "roles.assign", user, context)
    with transaction.atomic():
        # Both rows locked: the role cannot be deleted meanwhile, nor the user reassigned twice at once.
        locked = Role.objects.select_for_update().filter(pk=role.pk).first()
        if locked is None:
            raise _invalid("role", f"The role {role.slug!r} was just deleted; pick another.")
        role = locked
        user = get_user_model().objects.select_for_update(of=("self",)).select_related("role").get(pk=user.pk)
        previous = user.role
        owner_involved = role.slug == OWNER or (previous is not None and previous.slug == OWNER)
        if owner_involved and not authorize(actor, "owners.manage", user, context):
            raise Denied("Only an owner can grant or take away the owner role.")
        # Neither the new role nor the one taken away may hold more than the actor does.
        at_stake = set(role.permissions) | set(previous.permissions if previous is not None else ())
        if beyond := sorted(at_stake - permissions_of(actor)):
            raise Denied(f"You cannot change roles that hold permissions you do not: {', '.join(beyond)}.")
        if previous is not None and previous.slug == OWNER and role.slug != OWNER:
            # Every owner row locked, so two owners demoting each other at once cannot both succeed.
            owners = get_user_model().objects.select_for_update(of=("self",)).filter(role__slug=OWNER, is_active=True)
            owners = owners.exclude(pk=user.pk)
            if not list(owners.values_list("pk", flat=True)):
                raise Conflict("The workspace needs an owner; make someone else owner first.", code="last_owner")
        if previous == role:
            return
        user.role = role
        user.save(update_fields=["role"])
        record_security_event(
            request,
            AuditEventType.ROLE_ASSIGNED,
            actor=actor,
            subject=user.email,
            user=user.pk,
            previous=previous.slug if previous is not None else None,
            role=role.slug,
        )


def _checked_policy(actions: Sequence[str] | None, condition: str | None, effect: str | None) -> None:
    if effect is not None and effect not in Policy.Effect.values:
        raise _invalid("effect", "The effect is `allow` or `deny`.")
    if actions is not None:
        if not actions:
            raise _invalid("actions", "Name at least one action (or `*` for every action).")
        if unknown := [pattern for pattern in actions if not permission_catalog.is_action_pattern(pattern)]:
            raise _invalid(
                "actions", f"Unknown actions: {', '.join(unknown)}; use catalog actions, `<resource>.*` or `*`."
            )
    if condition:
        try:
            compile_condition(condition)
        except ConditionError as exc:
            raise _invalid("condition", str(exc)) from exc


def _policy_snapshot(policy: Policy) -> dict[str, Any]:
    return {
        "description": policy.description,
        "effect": policy.effect,
        "actions": list(policy.actions),
        "roles": sorted(role.slug for role in policy.roles.all()),
        "condition": policy.condition,
        "enabled": policy.enabled,
    }


def create_policy(
    request: HttpRequest | None,
    actor: User,
    *,
    name: str,
    effect: str,
    actions: Sequence[str],
    roles: Sequence[Role] = (),
    condition: str = "",
    description: str = "",
    enabled: bool = True,
) -> Policy:
    require(actor, "policies.create", context=Context.of(request))
    _checked_policy(actions, condition, effect)
    try:
        with transaction.atomic():
            policy = Policy.objects.create(
                name=name,
                description=description,
                effect=effect,
                actions=list(dict.fromkeys(actions)),
                condition=condition,
                enabled=enabled,
            )
            policy.roles.set(Role.objects.select_for_update().filter(pk__in=[role.pk for role in roles]))
    except IntegrityError as exc:
        raise _invalid("name", f"A policy named {name!r} exists; pick another name.") from exc
    access_changed()
    record_security_event(
        request, AuditEventType.POLICY_CREATED, actor=actor, subject=policy.name, **_policy_snapshot(policy)
    )
    return policy


def update_policy(request: HttpRequest | None, actor: User, policy: Policy, **changes: Any) -> Policy:
    """Change some of description, effect, actions, roles, condition, enabled."""
    require(actor, "policies.update", policy, Context.of(request))
    if unknown := sorted(changes.keys() - POLICY_FIELDS):
        raise TypeError(f"policies have no editable fields {unknown}")
    _checked_policy(changes.get("actions"), changes.get("condition"), changes.get("effect"))
    with transaction.atomic():
        policy = Policy.objects.select_for_update().get(pk=policy.pk)
        before = _policy_snapshot(policy)
        roles = changes.pop("roles", None)
        if "actions" in changes:
            changes["actions"] = list(dict.fromkeys(changes["actions"]))
        for key, value in changes.items():
            setattr(policy, key, value)
        if changes:
            policy.save(update_fields=[*changes, "updated_at"])
        if roles is not None:
            policy.roles.set(Role.objects.select_for_update().filter(pk__in=[role.pk for role in roles]))
        after = _policy_snapshot(policy)
        if history := {key: {"from": before[key], "to": after[key]} for key in after if before[key] != after[key]}:
            access_changed()
            record_security_event(
                request, AuditEventType.POLICY_UPDATED, actor=actor, subject=policy.name, changes=history
            )
    return policy


def delete_policy(request: HttpRequest | None, actor: User, policy: Policy) -> None:
    require(actor, "policies.delete", policy, Context.of(request))
    with transaction.atomic():
        snapshot = _policy_snapshot(policy)
        policy.delete()
        access_changed()
        record_security_event(request, AuditEventType.POLICY_DELETED, actor=actor, subject=policy.name, **snapshot)
