"""Tenant lifecycle actions and the portal's tenant API."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any

import pytest
from rest_framework.test import APIClient

from control_plane.accounts.models import User
from control_plane.audit.models import AuditEvent
from control_plane.tenants.actions import lifecycle
from control_plane.tenants.models import DeletionPolicy, MemberRole, Membership, Tenant, TenantState
from tenantry_kernel.events.models import OutboxEvent
from tenantry_kernel.testing.problems import field_errors, problem

pytestmark = pytest.mark.django_db


def new_tenant(owner: User, state: TenantState = TenantState.READY) -> Tenant:
    tenant = lifecycle.create_tenant(name="Corner Bakery", slug=f"bakery-{secrets.token_hex(3)}", owner=owner)
    path = {
        TenantState.PENDING: [],
        TenantState.PROVISIONING: [TenantState.PROVISIONING],
        TenantState.READY: [TenantState.PROVISIONING, TenantState.READY],
        TenantState.FAILED: [TenantState.PROVISIONING, TenantState.FAILED],
    }[state]
    for step in path:
        lifecycle.transition(tenant, step)
    tenant.refresh_from_db()
    return tenant


def events(tenant: Tenant, area: str = "tenant") -> list[tuple[str, dict[str, Any]]]:
    rows = OutboxEvent.objects.filter(routing_key__startswith=f"{tenant.slug}.{area}.").order_by("id")
    return [(row.envelope["type"], row.envelope["data"]) for row in rows]


def test_create_tenant_refuses_reserved_slugs_per_field(owner: User) -> None:
    from rest_framework.exceptions import ValidationError

    with pytest.raises(ValidationError) as refused:
        lifecycle.create_tenant(name="Admin", slug="admin", owner=owner)
    assert refused.value.detail == {"slug": ["the tenant name 'admin' is reserved; choose another"]}


def test_suspend_and_resume_move_the_state_and_enqueue_the_provisioner(
    owner: User, django_capture_on_commit_callbacks: Any
) -> None:
    tenant = new_tenant(owner)
    with django_capture_on_commit_callbacks() as callbacks:
        suspended = lifecycle.suspend(tenant, reason="unpaid invoice")
    assert suspended.state == TenantState.SUSPENDED
    assert suspended.state_reason == "unpaid invoice"
    assert len(callbacks) == 1
    with django_capture_on_commit_callbacks() as callbacks:
        resumed = lifecycle.resume(tenant)
    assert resumed.state == TenantState.READY
    assert len(callbacks) == 1
    assert [(d["from_state"], d["to_state"]) for _, d in events(tenant)][-2:] == [
        ("ready", "suspended"), ("suspended", "ready"),
    ]  # fmt: skip


def test_a_forbidden_move_is_a_409_with_its_code(owner: User) -> None:
    tenant = new_tenant(owner, TenantState.PENDING)
    with pytest.raises(lifecycle.InvalidTransition) as refused:
        lifecycle.suspend(tenant, reason="x")
    assert refused.value.default_code == "invalid_transition"
    tenant.refresh_from_db()
    assert tenant.state == TenantState.PENDING


def test_change_plan_emits_plan_changed_once(owner: User, django_capture_on_commit_callbacks: Any) -> None:
    tenant = new_tenant(owner)
    with django_capture_on_commit_callbacks() as callbacks:
        lifecycle.change_plan(tenant, "growth", actor=owner)
        lifecycle.change_plan(tenant, "growth", actor=owner)  # no change, nothing emitted
    tenant.refresh_from_db()
    assert tenant.plan == "growth"
    assert [e for e in events(tenant) if e[0] == "tenant.plan_changed"] == [
        ("tenant.plan_changed", {"from_plan": "free", "to_plan": "growth"})
    ]
    assert len(callbacks) == 1  # the provisioner applies the plan's limits
    assert AuditEvent.objects.filter(tenant=tenant.slug, action="tenant.plan_changed").count() == 1


def test_request_deletion_records_the_policy(owner: User) -> None:
    tenant = new_tenant(owner, TenantState.FAILED)
    deleting = lifecycle.request_deletion(tenant, policy=DeletionPolicy.RETAIN, actor=owner)
    assert (deleting.state, deleting.deletion_policy) == (TenantState.DELETING, "Retain")
    deleted = lifecycle.mark_deleted(deleting)
    assert deleted.state == TenantState.DELETED
    with pytest.raises(lifecycle.InvalidTransition):
        lifecycle.request_deletion(deleted)


def test_portal_lists_my_tenants_only(
    owner: User, make_user: Callable[..., User], api_for: Callable[[User], APIClient]
) -> None:
    mine = new_tenant(owner)
    theirs = new_tenant(make_user(f"other-{secrets.token_hex(3)}@example.com"))
    gone = new_tenant(owner, TenantState.PENDING)
    lifecycle.request_deletion(gone)
    lifecycle.mark_deleted(gone)
    api = api_for(owner)

    listed = api.get("/api/v1/tenants/").json()["results"]
    detail = api.get(f"/api/v1/tenants/{mine.slug}/")
    other = api.get(f"/api/v1/tenants/{theirs.slug}/")

    assert [(t["slug"], t["role"], t["state"]) for t in listed] == [(mine.slug, "owner", "ready")]
    assert detail.status_code == 200
    assert detail.json()["slug"] == mine.slug
    assert other.status_code == 404
    assert problem(other)["code"] == "not_found"


def test_only_an_owner_deletes_and_chooses_the_policy(
    owner: User, make_user: Callable[..., User], api_for: Callable[[User], APIClient]
) -> None:
    tenant = new_tenant(owner)
    admin = make_user(f"admin-{secrets.token_hex(3)}@example.com")
    Membership.objects.create(tenant=tenant, user=admin, role=MemberRole.ADMIN)

    by_admin = api_for(admin).delete(f"/api/v1/tenants/{tenant.slug}/", {"deletion_policy": "Retain"})
    bad_policy = api_for(owner).delete(f"/api/v1/tenants/{tenant.slug}/", {"deletion_policy": "Shred"})
    by_owner = api_for(owner).delete(f"/api/v1/tenants/{tenant.slug}/", {"deletion_policy": "Retain"})

    assert by_admin.status_code == 403
    assert bad_policy.status_code == 400
    assert field_errors(bad_policy) == {"/deletion_policy": ['"Shred" is not a valid choice.']}
    assert by_owner.status_code == 202
    assert by_owner["Location"] == f"/api/v1/tenants/{tenant.slug}/"  # 404 once it is gone
    assert (by_owner.json()["state"], Tenant.objects.get(pk=tenant.pk).deletion_policy) == ("deleting", "Retain")
