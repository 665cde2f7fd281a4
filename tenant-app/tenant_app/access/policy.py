"""The one policy engine: may this user do this action (on this resource, in this context)?

DRF permissions (`permissions.ActionPermission`), GraphQL resolvers and actions all ask here.

How a decision is made (deny-overrides):
1. Not signed in (or deactivated) → refused, "not_authenticated".
2. Any enabled deny policy for the action and the user's role (no roles: everyone) whose
   condition holds, or fails to evaluate → refused, "denied_by_policy:<name>".
3. The role must hold the permission → else "no_permission".
4. Every enabled allow policy for the action and the role must hold → else
   "not_allowed_by_policy:<name>". An allow policy narrows a role's permission ("staff may
   update products only of their location"); it never grants what the role lacks, so adding
   or enabling any policy can only take access away. Alternatives go in one condition (`||`).
5. Granted, "granted_by_role". Where 3 or 4 refused, rows of self-service resources
   (permission_catalog.SELF_SERVICE: one's own sessions) are still allowed, "own_resource".
A condition that fails to evaluate (a missing attribute, unlike types) counts against the user.

Without a resource, conditions that mention `resource` are left out: authorize(user, action)
answers "may the user do this to some rows", and the object check or scope() decides which.
scope() turns those conditions into SQL (conditions.py says which forms), so it and
authorize() agree row for row.

Why not pycasbin 2.8: its ABAC is `eval()` of policy text spliced into the matcher and run by
simpleeval, which calls methods of the objects it is given (`r.sub.delete()`), lets a rule break
out of its parentheses into the matcher, cannot be checked before it is saved, and cannot
become SQL for scope(). Role → permission needs no engine (it is a set lookup). Conditions are
CEL instead (cel-python, the language of Kubernetes admission policies): side-effect free,
without loops, parsed and checked when a policy is saved, and evaluated by an interpreter over
plain data, never as Python code.

Each process caches one compiled policy set per tenant (roles' permissions and enabled
policies), checked against the tenant's AccessRevision stamp at most every
ACCESS_POLICY_TTL seconds; a change made here drops the tenant's entry once it commits.
"""

from __future__ import annotations

import functools
import logging
import operator
import threading
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar

from django.conf import settings
from django.contrib.postgres.aggregates import ArrayAgg
from django.db import transaction
from django.db.models import Model, Q, QuerySet
from django.http import HttpRequest
from rest_framework.exceptions import PermissionDenied

from tenant_app.access import permission_catalog
from tenant_app.access.conditions import (
    Condition,
    ConditionError,
    Truth,
    attributes_of,
    compile_condition,
    plain,
    to_cel,
)
from tenant_app.access.models import AccessRevision, Policy, Role
from tenantry_kernel.context import current_tenant

M = TypeVar("M", bound=Model)

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Context:
    """The request's circumstances that policies may test (`context.ip`, `context.now`)."""

    ip: str | None
    now: datetime  # aware

    @classmethod
    def of(cls, request: HttpRequest | None) -> Context:
        ip = request.META.get("REMOTE_ADDR") if request is not None else None
        return cls(ip=ip or None, now=datetime.now(UTC))


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reason: str  # machine-readable: "granted_by_role", "no_permission", "denied_by_policy:<name>", …

    def __bool__(self) -> bool:
        return self.allowed


class Denied(PermissionDenied):
    default_detail = "You are not allowed to do this."
    default_code = "forbidden"


# ---- Compiled policies, cached per tenant ------------------------------------------------


@dataclass(frozen=True)
class CompiledPolicy:
    name: str
    deny: bool
    actions: tuple[str, ...]
    role_ids: frozenset[int]  # empty: everyone
    condition: Condition | None  # None: always
    broken: bool = False  # its stored condition no longer compiles: it fails closed

    def applies(self, action: str, role_id: int | None) -> bool:
        roles_match = not self.role_ids or role_id in self.role_ids
        return roles_match and any(permission_catalog.matches(pattern, action) for pattern in self.actions)

    def needs_resource(self) -> bool:
        return self.condition is not None and self.condition.uses_resource

    def truth(self, facts: _Facts) -> Truth:
        if self.broken:
            return None
        if self.condition is None:
            return True
        return self.condition.holds(facts.resource, facts.activation)


_NO_ROLE: tuple[str, frozenset[str]] = ("", frozenset())


@dataclass
class PolicySet:
    """One tenant's roles and enabled policies, ready to decide with."""

    roles: dict[int, tuple[str, frozenset[str]]]  # role id → (slug, permissions)
    policies: tuple[CompiledPolicy, ...]
    _applicable: dict[tuple[str, int | None], tuple[CompiledPolicy, ...]] = field(default_factory=dict)

    def role(self, role_id: int | None) -> tuple[str, frozenset[str]]:
        """The role's slug and permissions; ("", nothing) for no role."""
        return self.roles.get(role_id, _NO_ROLE) if role_id is not None else _NO_ROLE

    def permissions(self, role_id: int | None) -> frozenset[str]:
        return self.role(role_id)[1]

    def applicable(self, action: str, role_id: int | None) -> tuple[CompiledPolicy, ...]:
        key = (action, role_id)
        if key not in self._applicable:  # a benign race: two threads compute the same tuple
            self._applicable[key] = tuple(p for p in self.policies if p.applies(action, role_id))
        return self._applicable[key]

    @classmethod
    def load(cls) -> PolicySet:
        roles = Role.objects.values_list("id", "slug", "permissions")
        rows = (
            Policy.objects.filter(enabled=True)
            .annotate(role_ids=ArrayAgg("roles__id", filter=Q(roles__isnull=False)))
            .values_list("name", "effect", "actions", "condition", "role_ids")
        )
        return cls({pk: (slug, frozenset(perms)) for pk, slug, perms in roles}, tuple(_compiled(*row) for row in rows))


def _compiled(name: str, effect: str, actions: list[str], source: str, role_ids: list[int] | None) -> CompiledPolicy:
    condition, broken = None, False
    if source.strip():
        try:
            condition = compile_condition(source)
        except ConditionError:
            logger.error("policy %s has a condition that no longer compiles; it fails closed", name)
            broken = True
    deny = effect == Policy.Effect.DENY
    return CompiledPolicy(name, deny, tuple(actions), frozenset(role_ids or ()), condition, broken)


class PolicyCache:
    """Per-process cache of each tenant's PolicySet, revalidated against its revision stamp."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: dict[str, tuple[PolicySet, uuid.UUID | None, float]] = {}  # set, stamp, checked at

    def current(self) -> PolicySet:
        """The policy set of the current tenant; call inside its transaction."""
        tenant, now = current_tenant() or "", time.monotonic()
        with self._lock:
            entry = self._entries.get(tenant)
        if entry is not None and now - entry[2] < settings.ACCESS_POLICY_TTL:
            return entry[0]
        # Stamp first, then data: the set is at least as new as the stamp it is filed under.
        stamp = AccessRevision.objects.values_list("stamp", flat=True).first()
        policy_set = entry[0] if entry is not None and entry[1] == stamp else PolicySet.load()
        with self._lock:
            self._entries[tenant] = (policy_set, stamp, now)
        return policy_set

    def cached(self, tenant: str) -> PolicySet | None:
        with self._lock:
            entry = self._entries.get(tenant)
        return entry[0] if entry is not None else None

    def forget(self, tenant: str) -> None:
        with self._lock:
            self._entries.pop(tenant, None)


policy_cache = PolicyCache()


def access_changed() -> None:
    """Roles or policies of the current tenant changed: every process reloads them (this one at commit)."""
    if not AccessRevision.objects.update(stamp=uuid.uuid4()):
        AccessRevision.objects.create()
    tenant = current_tenant() or ""
    transaction.on_commit(lambda: policy_cache.forget(tenant))


# ---- Deciding ----------------------------------------------------------------------------


class _Facts:
    """The attributes one decision looks at, gathered only if a condition asks."""

    def __init__(self, user: Any, role_slug: str, resource: object | None, context: Context | None) -> None:
        self._user, self._role_slug, self._raw_resource, self._context = user, role_slug, resource, context

    @functools.cached_property
    def resource(self) -> Mapping[str, Any] | None:
        return None if self._raw_resource is None else attributes_of(self._raw_resource)

    @functools.cached_property
    def activation(self) -> dict[str, Any]:
        user, context = self._user, self._context or Context.of(None)
        # The user's own attributes first: `id`, `email` and `role` cannot be overridden by them.
        subject = {**plain(getattr(user, "attributes", None) or {}), "id": user.pk, "role": self._role_slug}
        subject["email"] = getattr(user, "email", "")
        now = context.now.astimezone(UTC)  # time windows are written in UTC
        return {"subject": to_cel(subject), "context": to_cel(plain({"ip": context.ip, "now": now}))}


def _signed_in(user: Any) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False) and getattr(user, "is_active", False))


def _owner_attribute(action: str) -> str | None:
    return permission_catalog.SELF_SERVICE.get(action.split(".", 1)[0])


def authorize(user: Any, action: str, resource: object | None = None, context: Context | None = None) -> Decision:
    if not _signed_in(user):
        return Decision(False, "not_authenticated")
    policy_set = policy_cache.current()
    role_id = getattr(user, "role_id", None)
    slug, permissions = policy_set.role(role_id)
    facts = _Facts(user, slug, resource, context)
    policies = [p for p in policy_set.applicable(action, role_id) if resource is not None or not p.needs_resource()]

    for policy in policies:
        if policy.deny and policy.truth(facts) is not False:
            return Decision(False, f"denied_by_policy:{policy.name}")
    decision = Decision(True, "granted_by_role")
    if action not in permissions:
        decision = Decision(False, "no_permission")
    else:
        failed = next((p for p in policies if not p.deny and p.truth(facts) is not True), None)
        if failed is not None:
            decision = Decision(False, f"not_allowed_by_policy:{failed.name}")
    owner = _owner_attribute(action)
    own = owner is not None and (facts.resource is None or facts.resource.get(owner) == user.pk)
    return Decision(True, "own_resource") if own and not decision else decision


def permissions_of(user: Any) -> frozenset[str]:
    """What the user's role holds, before any policy: what they may hand on to others."""
    return policy_cache.current().permissions(getattr(user, "role_id", None)) if _signed_in(user) else frozenset()


def require(user: Any, action: str, resource: object | None = None, context: Context | None = None) -> None:
    decision = authorize(user, action, resource, context)
    if not decision:
        raise Denied(f"You may not {action} here ({decision.reason}).")


def scope(user: Any, action: str, queryset: QuerySet[M], context: Context | None = None) -> QuerySet[M]:
    """The rows of `queryset` that `user` may `action`, filtered in SQL (what authorize() would say of each)."""
    if not _signed_in(user):
        return queryset.none()
    policy_set = policy_cache.current()
    role_id = getattr(user, "role_id", None)
    slug = policy_set.role(role_id)[0]
    facts, model = _Facts(user, slug, None, context), queryset.model
    policies = policy_set.applicable(action, role_id)

    keep: list[Q] = []  # rows no deny policy refuses
    for policy in (p for p in policies if p.deny):
        if policy.condition is not None and policy.condition.uses_resource:
            keep.append(policy.condition.rows(model, facts.activation).false)
        elif policy.truth(facts) is not False:
            return queryset.none()

    granted: list[Q] | None = None  # None: the role does not grant it; []: every row
    allows = [p for p in policies if not p.deny]
    if action in policy_set.permissions(role_id) and all(
        p.truth(facts) is True for p in allows if not p.needs_resource()
    ):
        granted = [p.condition.rows(model, facts.activation).true for p in allows if p.condition and p.needs_resource()]
    owner = _owner_attribute(action)
    own = Q(**{owner: user.pk}) if owner is not None else None

    if granted is None and own is None:
        return queryset.none()
    if granted is None:
        visible: Q | None = own
    elif not granted:
        visible = None  # every row
    else:
        visible = functools.reduce(operator.and_, granted)
        if own is not None:
            visible |= own
    conditions = [*([visible] if visible is not None else []), *keep]
    return queryset.filter(functools.reduce(operator.and_, conditions)) if conditions else queryset
