"""Ops API for platform staff: the daily figures the staff console charts (signups, active stores, revenue)."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from control_plane.accounts.models import User
from control_plane.billing.models import Invoice, InvoiceStatus
from control_plane.tenants.actions import lifecycle
from control_plane.tenants.models import Tenant, TenantState
from tenantry_kernel.testing.problems import field_errors

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(make_user: Callable[..., User]) -> User:
    return make_user(f"ops-{secrets.token_hex(3)}@example.com", is_staff=True)


def store(owner: User, days_ago: int, state: TenantState = TenantState.READY, left_days_ago: int = 0) -> Tenant:
    tenant = lifecycle.create_tenant(name="Shop", slug=f"stats-{secrets.token_hex(3)}", owner=owner)
    now = timezone.now()
    Tenant.objects.filter(pk=tenant.pk).update(
        created_at=now - timedelta(days=days_ago), state=state, state_changed_at=now - timedelta(days=left_days_ago)
    )
    return tenant


def paid(tenant: Tenant, days_ago: int, total: str, currency: str = "EUR") -> None:
    when = timezone.now() - timedelta(days=days_ago)
    Invoice.objects.create(
        number=f"TY-STAT-{secrets.token_hex(3)}", tenant=tenant, stripe_invoice_id=f"in_{secrets.token_hex(6)}",
        status=InvoiceStatus.PAID, issued_at=when, paid_at=when, currency=currency, subtotal=total, tax_amount=0,
        total=total,
    )  # fmt: skip


def by_date(body: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {day["date"]: day for day in body["series"]}


def test_daily_signups_active_stores_and_revenue(
    owner: User, staff: User, api_for: Callable[[User | None], APIClient]
) -> None:
    before = by_date(api_for(staff).get("/api/v1/ops/stats/", {"days": 7}).json())
    old = store(owner, 5)
    store(owner, 2)
    store(owner, 2)
    store(owner, 4, TenantState.DELETED, left_days_ago=1)  # gone since yesterday
    paid(old, 2, "119.00")
    paid(old, 2, "10.50")
    paid(old, 0, "5.00", "usd")
    Invoice.objects.create(
        number="TY-STAT-OPEN",
        tenant=old,
        stripe_invoice_id="in_open",
        issued_at=timezone.now(),
        currency="EUR",
        subtotal=99,
        tax_amount=0,
        total=99,
    )  # fmt: skip  an open invoice is no revenue

    answer = api_for(staff).get("/api/v1/ops/stats/", {"days": 7})

    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert body["days"] == 7
    days = by_date(body)
    dates = list(days)
    assert len(dates) == 7
    assert dates == sorted(dates)
    assert dates[-1] == timezone.now().date().isoformat()

    def delta(index: int, field: str) -> int:
        return int(days[dates[index]][field]) - int(before[dates[index]][field])

    # today is index 6, "n days ago" is 6 - n
    assert [delta(i, "signups") for i in range(7)] == [0, 1, 1, 0, 2, 0, 0]
    assert [delta(i, "active_stores") for i in range(7)] == [0, 1, 2, 2, 4, 3, 3]
    assert days[dates[4]]["revenue"] == [{"currency": "EUR", "amount": "129.50"}]
    assert days[dates[6]]["revenue"] == [{"currency": "USD", "amount": "5.00"}]
    assert days[dates[5]]["revenue"] == []
    assert {"EUR", "USD"} <= set(body["currencies"])
    assert len(api_for(staff).get("/api/v1/ops/stats/").json()["series"]) == 30  # the default


def test_only_staff_see_the_figures_and_the_window_is_checked(
    owner: User, staff: User, api_for: Callable[[User | None], APIClient]
) -> None:
    assert api_for(None).get("/api/v1/ops/stats/").status_code == 401
    assert api_for(owner).get("/api/v1/ops/stats/").status_code == 403
    for days in ("0", "367", "many"):
        bad = api_for(staff).get("/api/v1/ops/stats/", {"days": days})
        assert (bad.status_code, list(field_errors(bad))) == (400, ["/days"])
