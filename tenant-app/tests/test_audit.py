"""The audit log records security events and shows them to administrators only."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tenant_app.access.models import Role
from tenant_app.audit.models import AppendOnlyError, AuditEvent
from tenant_app.tenancy.context import tenant_transaction
from tenantry_kernel.testing.problems import problem

from .conftest import ShardTenant

PASSWORD = "a long enough passphrase"


@pytest.fixture
def alpha(shard: tuple[str, list[ShardTenant]]) -> ShardTenant:
    tenant = shard[1][0]
    with tenant_transaction(tenant.route):
        users = get_user_model().objects
        auditor, _ = Role.objects.update_or_create(
            slug="admin", defaults={"permissions": ["audit.view"], "requires_two_factor": False}
        )
        users.create_user("admin@example.test", PASSWORD, role=auditor)
        users.create_user("clerk@example.test", PASSWORD)
    return tenant


def call(tenant: ShardTenant, method: str, path: str, body: Any = None, token: str = "") -> Any:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    client = Client(HTTP_HOST=tenant.host)
    if method == "post":
        return client.post(path, body, content_type="application/json", headers=headers)
    return client.get(path, headers=headers)


def sign_in(tenant: ShardTenant, name: str, password: str = PASSWORD) -> Any:
    return call(tenant, "post", "/api/v1/auth/sign-in/", {"email": f"{name}@example.test", "password": password})


def test_sign_ins_failures_and_reuse_are_recorded_and_listed_for_admins(alpha: ShardTenant) -> None:
    sign_in(alpha, "clerk", "wrong password")
    clerk = sign_in(alpha, "clerk").json()
    call(alpha, "post", "/api/v1/auth/refresh/", {"refresh": clerk["refresh"]})
    call(alpha, "post", "/api/v1/auth/refresh/", {"refresh": clerk["refresh"]})  # reused
    admin = sign_in(alpha, "admin").json()

    listed = call(alpha, "get", "/api/v1/audit-events/", token=admin["access"])

    assert listed.status_code == 200
    assert [(e["type"], e["actor"] or e["subject"]) for e in listed.json()["results"]] == [
        ("sign_in", "admin@example.test"),
        ("token_reused", "clerk@example.test"),
        ("sign_in", "clerk@example.test"),
        ("sign_in_failed", "clerk@example.test"),
    ]
    assert call(alpha, "get", "/api/v1/audit-events/", token=clerk["access"]).status_code == 401  # revoked family
    clerk_again = sign_in(alpha, "clerk").json()
    forbidden = call(alpha, "get", "/api/v1/audit-events/", token=clerk_again["access"])
    assert forbidden.status_code == 403
    assert problem(forbidden)["code"] == "forbidden"


def test_listing_costs_the_same_queries_for_few_and_many_events(alpha: ShardTenant) -> None:
    admin = sign_in(alpha, "admin").json()

    def queries_for_listing() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert call(alpha, "get", "/api/v1/audit-events/", token=admin["access"]).status_code == 200
        return len(captured)

    queries_for_listing()  # warms the policy engine's per-tenant cache
    few = queries_for_listing()
    for _ in range(8):
        sign_in(alpha, "clerk")
    assert queries_for_listing() == few


def test_audit_events_cannot_be_changed_or_deleted(alpha: ShardTenant) -> None:
    sign_in(alpha, "clerk")

    with tenant_transaction(alpha.route):
        event = AuditEvent.objects.get(type="sign_in")
        event.subject = "someone else"
        with pytest.raises(AppendOnlyError):
            event.save()
        with pytest.raises(AppendOnlyError):
            event.delete()
