"""The portal's billing reads beyond the subscription: usage and spend per day from the ledger's daily projections,
and a SetupIntent for Stripe.js to save a card with (confirmed here as Stripe.js would, against localstripe)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
import requests
import stripe
from django.conf import settings
from django.utils import timezone
from rest_framework.test import APIClient

from control_plane.accounts.models import User
from control_plane.billing.actions import ledger
from control_plane.billing.ledger import LedgerProjection, usage_day
from control_plane.billing.models import DailySpend, DailyUsage
from control_plane.tenants.models import Tenant
from tenantry_kernel.testing.problems import problem

pytestmark = pytest.mark.django_db

MakeStore = Callable[..., tuple[Tenant, User]]
ApiFor = Callable[[User | None], APIClient]


def test_usage_and_spend_come_per_day_with_the_empty_days_at_zero(make_store: MakeStore, api_for: ApiFor) -> None:
    _, owner = make_store()
    ledger.record_usage("acme", "orders", 3, source_event="e1", period_end="2026-03-01T10:00:00+00:00")
    ledger.record_usage("acme", "orders", 2, source_event="e2", period_end="2026-03-01T11:00:00+00:00")
    # An hour ending at midnight belongs to the day before.
    ledger.record_usage("acme", "api_requests", 900, source_event="e3", period_end="2026-03-03T00:00:00+00:00")
    ledger.record_usage("other", "orders", 7, source_event="e4", period_end="2026-03-01T10:00:00+00:00")
    today = timezone.now().date()
    ledger.charge("acme", Decimal("34.51"), "EUR", "TY-2026-000001")
    ledger.receive_payment("acme", Decimal("34.51"), "EUR", "in_1")
    ledger.credit("acme", Decimal("1.49"), "EUR", "goodwill")

    answer = api_for(owner).get("/api/v1/tenants/acme/usage", {"from": "2026-03-01", "to": "2026-03-03"})

    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert (body["from"], body["to"]) == ("2026-03-01", "2026-03-03")
    assert body["metrics"] == ["api_requests", "orders"]
    assert [day["date"] for day in body["days"]] == ["2026-03-01", "2026-03-02", "2026-03-03"]
    assert [day["usage"] for day in body["days"]] == [
        {"api_requests": 0, "orders": 5},
        {"api_requests": 900, "orders": 0},
        {"api_requests": 0, "orders": 0},
    ]
    # Money entered the ledger today, outside this range.
    assert body["currencies"] == []
    assert body["days"][0]["charged"] == {}

    recent = api_for(owner).get("/api/v1/tenants/acme/usage").json()  # by default the last 30 days up to today
    assert recent["to"] == today.isoformat()
    assert recent["from"] == (today - timedelta(days=29)).isoformat()
    assert len(recent["days"]) == 30
    assert recent["currencies"] == ["EUR"]
    assert recent["days"][-1]["charged"] == {"EUR": "34.51"}
    assert recent["days"][-1]["paid"] == {"EUR": "36.00"}  # the payment and the credit
    assert recent["days"][0]["charged"] == {"EUR": "0.00"}


def test_replaying_the_ledger_rebuilds_the_daily_projections(make_store: MakeStore) -> None:
    make_store()
    ledger.record_usage("acme", "orders", 4, source_event="e1", period_end="2026-03-01T10:00:00+00:00")
    ledger.charge("acme", Decimal("29"), "EUR", "TY-2026-000001")
    before = (list(DailyUsage.objects.values_list("day", "metric", "quantity")),
              list(DailySpend.objects.values_list("currency", "charged", "paid")))  # fmt: skip

    LedgerProjection().replay()

    after = (list(DailyUsage.objects.values_list("day", "metric", "quantity")),
             list(DailySpend.objects.values_list("currency", "charged", "paid")))  # fmt: skip
    assert after == before
    assert before[0] == [(date(2026, 3, 1), "orders", 4)]
    assert before[1] == [("EUR", Decimal("29.0000"), Decimal("0.0000"))]


def test_a_usage_day_is_that_of_the_period_end_or_else_of_the_recording() -> None:
    recorded = datetime(2026, 3, 5, 12, tzinfo=UTC)
    assert usage_day({"period_end": "2026-03-02T00:00:00Z"}, recorded) == date(2026, 3, 1)
    assert usage_day({"period_end": "2026-03-02T01:00:00+02:00"}, recorded) == date(2026, 3, 1)
    assert usage_day({"period_end": "2026-03-02T09:00:00"}, recorded) == date(2026, 3, 2)
    assert usage_day({"period_end": "not a date"}, recorded) == date(2026, 3, 5)


def test_a_backwards_or_too_long_range_is_refused_at_its_field(make_store: MakeStore, api_for: ApiFor) -> None:
    _, owner = make_store()
    api = api_for(owner)

    backwards = api.get("/api/v1/tenants/acme/usage", {"from": "2026-03-05", "to": "2026-03-01"})
    too_long = api.get("/api/v1/tenants/acme/usage", {"from": "2025-01-01", "to": "2026-03-01"})
    not_a_date = api.get("/api/v1/tenants/acme/usage", {"to": "yesterday"})

    for answer, pointer in ((backwards, "/from"), (too_long, "/from"), (not_a_date, "/to")):
        assert answer.status_code == 400, answer.content
        body = problem(answer)
        assert body["code"] == "invalid"
        assert list(body["errors"]) == [pointer], body


def test_only_owners_and_billing_members_read_usage(
    make_store: MakeStore, store_member: Callable[[Tenant, str], User], make_user: Callable[..., User], api_for: ApiFor
) -> None:
    tenant, _ = make_store()
    billing = store_member(tenant, "billing")
    admin = store_member(tenant, "admin")

    assert api_for(billing).get("/api/v1/tenants/acme/usage").status_code == 200
    assert problem(api_for(admin).get("/api/v1/tenants/acme/usage"))["code"] == "permission_denied"
    hidden = api_for(make_user("someone@else.example.com")).get("/api/v1/tenants/acme/usage")
    assert hidden.status_code == 404
    assert api_for(None).get("/api/v1/tenants/acme/usage").status_code == 401


def test_a_card_is_saved_through_a_setup_intent_as_stripe_js_does(
    make_store: MakeStore, api_for: ApiFor, stripe_standin: stripe.StripeClient, localstripe_url: str
) -> None:
    _, owner = make_store()
    api = api_for(owner)

    setup = api.post("/api/v1/tenants/acme/payment-methods/setup")

    assert setup.status_code == 200, setup.content
    body = setup.json()
    assert body["publishable_key"] == settings.STRIPE_PUBLIC_KEY
    assert body["client_secret"].startswith("seti_")
    # What Stripe.js's confirmCardSetup sends from the browser, with the publishable key only.
    intent = body["client_secret"].split("_secret_")[0]
    confirmed = requests.post(
        f"{localstripe_url}/v1/setup_intents/{intent}/confirm",
        json={
            "key": body["publishable_key"],
            "client_secret": body["client_secret"],
            "payment_method_data": {
                "type": "card",
                "card": {"number": "4242424242424242", "exp_month": "12", "exp_year": "2030", "cvc": "123"},
            },
        },
        timeout=10,
    )
    assert confirmed.status_code == 200, confirmed.text
    assert confirmed.json()["status"] == "succeeded"
    method = confirmed.json()["payment_method"]

    attached = api.post("/api/v1/tenants/acme/payment-methods", {"payment_method": method}, format="json")

    assert attached.status_code == 201, attached.content
    listed = api.get("/api/v1/tenants/acme/payment-methods").json()["results"]
    assert [(m["id"], m["last4"], m["default"]) for m in listed] == [(method, "4242", True)]


def test_a_card_setup_without_stripe_configured_says_so(
    make_store: MakeStore, api_for: ApiFor, settings: object
) -> None:
    _, owner = make_store()
    settings.STRIPE_SECRET_KEY = ""  # type: ignore[attr-defined]

    answer = api_for(owner).post("/api/v1/tenants/acme/payment-methods/setup")

    assert answer.status_code == 503
    assert problem(answer)["code"] == "billing_not_configured"
