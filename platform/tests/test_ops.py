"""Ops API for platform staff: tenants with their conditions (no N+1), suspend, resume, retry provisioning."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from control_plane.accounts.models import User
from control_plane.tenants.actions import lifecycle
from control_plane.tenants.models import Tenant, TenantState
from tenantry_kernel.testing.problems import field_errors, problem

pytestmark = pytest.mark.django_db


def tenants(owner: User, count: int, state: TenantState = TenantState.READY) -> list[Tenant]:
    made = []
    for _ in range(count):
        tenant = lifecycle.create_tenant(name="Shop", slug=f"shop-{secrets.token_hex(3)}", owner=owner)
        lifecycle.transition(tenant, TenantState.PROVISIONING)
        if state != TenantState.PROVISIONING:
            lifecycle.transition(tenant, state)
        lifecycle.record_status(tenant, conditions=[{"type": "Ready", "status": "True", "reason": "Reconciled"}])
        tenant.refresh_from_db()
        made.append(tenant)
    return made


@pytest.fixture
def staff(make_user: Callable[..., User]) -> User:
    return make_user(f"ops-{secrets.token_hex(3)}@example.com", is_staff=True)


def test_only_staff_reach_the_ops_api(owner: User, api_for: Callable[[User | None], APIClient]) -> None:
    assert api_for(owner).get("/api/v1/ops/tenants/").status_code == 403
    assert api_for(None).get("/api/v1/ops/tenants/").status_code == 401


def test_ops_list_filters_by_state_with_conditions_in_a_fixed_number_of_queries(
    owner: User, staff: User, api_for: Callable[[User], APIClient]
) -> None:
    api = api_for(staff)
    ready = tenants(owner, 2)
    failed = tenants(owner, 1, TenantState.FAILED)

    with CaptureQueriesContext(connection) as few:
        listed = api.get("/api/v1/ops/tenants/", {"state": "ready"})
    tenants(owner, 5)
    with CaptureQueriesContext(connection) as many:
        more = api.get("/api/v1/ops/tenants/", {"state": "ready"})

    assert listed.status_code == 200
    slugs = {t["slug"] for t in listed.json()["results"]}
    assert {t.slug for t in ready} <= slugs
    assert failed[0].slug not in slugs
    assert listed.json()["results"][0]["conditions"] == [{"type": "Ready", "status": "True", "reason": "Reconciled"}]
    assert len(more.json()["results"]) == len(listed.json()["results"]) + 5
    assert len(many.captured_queries) == len(few.captured_queries)

    bad = api.get("/api/v1/ops/tenants/", {"state": "sleeping"})
    assert bad.status_code == 400
    assert list(field_errors(bad)) == ["/state"]


def test_ops_suspend_resume_and_retry(
    owner: User, staff: User, api_for: Callable[[User], APIClient], django_capture_on_commit_callbacks: Any
) -> None:
    api = api_for(staff)
    (tenant,) = tenants(owner, 1)
    (broken,) = tenants(owner, 1, TenantState.FAILED)

    with django_capture_on_commit_callbacks() as callbacks:
        suspended = api.post(f"/api/v1/ops/tenants/{tenant.slug}/suspend/", {"reason": "chargeback"})
        again = api.post(f"/api/v1/ops/tenants/{broken.slug}/suspend/")
        resumed = api.post(f"/api/v1/ops/tenants/{tenant.slug}/resume/")
        retried = api.post(f"/api/v1/ops/tenants/{broken.slug}/retry-provisioning/")
        missing = api.post("/api/v1/ops/tenants/no-such-shop/resume/")

    assert (suspended.status_code, suspended.json()["state"], suspended.json()["state_reason"]) == (
        202, "suspended", "chargeback",
    )  # fmt: skip
    # Each move goes on in the background: Location is the tenant, to follow its state.
    assert suspended["Location"] == resumed["Location"] == f"/api/v1/ops/tenants/{tenant.slug}/"
    assert retried["Location"] == f"/api/v1/ops/tenants/{broken.slug}/"
    followed = api.get(retried["Location"])
    assert (followed.status_code, followed.json()["state"]) == (200, "provisioning")
    assert again.status_code == 409
    assert problem(again)["code"] == "invalid_transition"
    assert (resumed.status_code, resumed.json()["state"]) == (202, "ready")
    assert (retried.status_code, retried.json()["state"], retried.json()["provisioning_attempts"]) == (
        202, "provisioning", 2,
    )  # fmt: skip
    assert missing.status_code == 404
    assert len(callbacks) == 3  # suspend, resume and provision tasks


def test_the_staff_tenant_list_pages_by_cursor_in_slug_order(
    owner: User, staff: User, api_for: Callable[[User], APIClient]
) -> None:
    api = api_for(staff)
    made = sorted(tenant.slug for tenant in tenants(owner, 3, TenantState.FAILED))

    first = api.get("/api/v1/ops/tenants/", {"state": "failed", "page_size": "2"})
    second = api.get(first.json()["next"])
    back = api.get(second.json()["previous"])
    forged = api.get("/api/v1/ops/tenants/", {"cursor": "not-a-cursor"})

    assert [t["slug"] for t in first.json()["results"]] == made[:2]
    assert first.json()["previous"] is None
    assert [t["slug"] for t in second.json()["results"]] == made[2:]
    assert second.json()["next"] is None
    assert "state=failed" in second.json()["previous"]  # the filter stays with the links
    assert [t["slug"] for t in back.json()["results"]] == made[:2]
    assert (forged.status_code, list(field_errors(forged))) == (400, ["/cursor"])


def test_an_ops_reason_is_kept_short_and_a_body_that_is_no_object_is_refused(
    owner: User, staff: User, api_for: Callable[[User], APIClient]
) -> None:
    api = api_for(staff)
    (tenant,) = tenants(owner, 1)

    too_long = api.post(f"/api/v1/ops/tenants/{tenant.slug}/suspend/", {"reason": "x" * 501}, format="json")
    not_an_object = api.post(f"/api/v1/ops/tenants/{tenant.slug}/suspend/", ["chargeback"], format="json")

    assert (too_long.status_code, field_errors(too_long)) == (
        400, {"/reason": ["Ensure this field has no more than 500 characters."]},
    )  # fmt: skip
    assert (not_an_object.status_code, problem(not_an_object)["code"]) == (400, "invalid")
    assert Tenant.objects.get(pk=tenant.pk).state == TenantState.READY
