"""Plans, payment methods and subscriptions through the portal API, against localstripe on loopback."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
import stripe
from rest_framework.test import APIClient

from control_plane.accounts.models import User
from control_plane.audit.models import AuditEvent
from control_plane.billing.models import BillingProfile
from control_plane.tenants.models import Tenant
from tenantry_kernel.testing.problems import problem
from tests.billing_fixtures import DECLINED_ON_ATTACH, DECLINED_ON_CHARGE, card

pytestmark = pytest.mark.django_db

MakeStore = Callable[..., tuple[Tenant, User]]
ApiFor = Callable[[User | None], APIClient]


def test_plans_are_public_with_price_features_and_limits(api_for: ApiFor) -> None:
    response = api_for(None).get("/api/v1/plans/")

    assert response.status_code == 200
    plans = response.json()["results"]
    assert [plan["name"] for plan in plans] == ["free", "starter", "growth", "enterprise"]
    starter = plans[1]
    assert starter["price"] == {"amount": "29.00", "currency": "EUR", "interval": "month"}
    assert starter["limits"] == {"max_products": 1000, "max_members": 5, "api_requests_per_minute": 300}
    assert "custom_domain" in starter["features"]
    assert plans[3]["limits"]["max_products"] is None
    # The resource side comes from the kernel's plan table, not a copy.
    assert plans[2]["resources"] == {"replicas_max": 8, "storage": "25Gi", "db_connection_limit": 40}


def test_only_owners_and_billing_members_reach_billing(
    make_store: MakeStore, store_member: Callable[[Tenant, str], User], make_user: Callable[..., User], api_for: ApiFor
) -> None:
    tenant, owner = make_store()
    admin = store_member(tenant, "admin")
    billing = store_member(tenant, "billing")
    outsider = make_user("someone@else.example.com")

    assert api_for(owner).get("/api/v1/tenants/acme/subscription").status_code == 200
    assert api_for(billing).get("/api/v1/tenants/acme/invoices/").status_code == 200
    denied = api_for(admin).get("/api/v1/tenants/acme/invoices/")
    assert denied.status_code == 403
    assert problem(denied)["code"] == "permission_denied"
    hidden = api_for(outsider).get("/api/v1/tenants/acme/subscription")
    assert hidden.status_code == 404
    assert problem(hidden)["code"] == "not_found"
    assert api_for(None).get("/api/v1/tenants/acme/subscription").status_code == 401


def test_an_unknown_plan_is_refused_with_the_field_named(make_store: MakeStore, api_for: ApiFor) -> None:
    _, owner = make_store()

    response = api_for(owner).post("/api/v1/tenants/acme/subscription", {"plan": "platinum"}, format="json")

    assert response.status_code == 400
    body = problem(response)
    assert body["code"] == "invalid"
    assert list(body["errors"]) == ["/plan"]


def test_a_paid_plan_needs_a_payment_method_first(
    make_store: MakeStore, api_for: ApiFor, stripe_standin: stripe.StripeClient
) -> None:
    tenant, owner = make_store()

    response = api_for(owner).post("/api/v1/tenants/acme/subscription", {"plan": "starter"}, format="json")

    assert response.status_code == 409
    assert problem(response)["code"] == "payment_method_required"
    tenant.refresh_from_db()
    assert tenant.plan == "free"


def test_owner_adds_a_card_subscribes_and_upgrades_with_proration(
    make_store: MakeStore, api_for: ApiFor, stripe_standin: stripe.StripeClient
) -> None:
    tenant, owner = make_store()
    api = api_for(owner)

    attached = api.post("/api/v1/tenants/acme/payment-methods", {"payment_method": card(stripe_standin)}, format="json")
    assert attached.status_code == 201, attached.json()
    assert attached["Location"] == "/api/v1/tenants/acme/payment-methods"
    listed = api.get("/api/v1/tenants/acme/payment-methods").json()["results"]
    assert [(m["last4"], m["brand"], m["default"]) for m in listed] == [("4242", "visa", True)]

    subscribed = api.post("/api/v1/tenants/acme/subscription", {"plan": "starter", "country": "DE"}, format="json")

    assert subscribed.status_code == 200, subscribed.json()
    body = subscribed.json()
    assert body["plan"] == "starter"
    assert body["subscription"]["status"] == "active"
    profile = BillingProfile.objects.get(tenant=tenant)
    remote: Any = stripe_standin.v1.subscriptions.retrieve(profile.subscription_id)
    assert remote["items"]["data"][0]["plan"]["id"] == "tenantry-starter-monthly-eur"
    assert remote["customer"] == profile.stripe_customer_id
    # The customer is mirrored in dj-stripe's tables.
    assert profile.djstripe_customer is not None
    assert profile.djstripe_customer.id == profile.stripe_customer_id
    # Stripe charges German VAT on the first invoice: 29.00 + 19 %.
    first: Any = stripe_standin.v1.invoices.retrieve(remote["latest_invoice"])
    assert (first["subtotal"], first["total"]) == (2900, 3451)

    preview = api.post("/api/v1/tenants/acme/subscription", {"plan": "growth", "preview": True}, format="json").json()
    # Stripe's proration: the new plan, minus what is unused of the old one, plus VAT.
    assert [line["amount"] for line in preview["lines"]] == ["99.00", "-29.00"]
    assert Decimal(preview["amount_due"]) == Decimal("83.30")
    tenant.refresh_from_db()
    assert tenant.plan == "starter"  # a preview changes nothing

    upgraded = api.post("/api/v1/tenants/acme/subscription", {"plan": "growth"}, format="json")

    assert upgraded.status_code == 200, upgraded.json()
    tenant.refresh_from_db()
    assert tenant.plan == "growth"
    remote = stripe_standin.v1.subscriptions.retrieve(profile.subscription_id)
    assert remote["items"]["data"][0]["plan"]["id"] == "tenantry-growth-monthly-eur"
    assert list(
        AuditEvent.objects.filter(tenant="acme", action="billing.subscription_changed")
        .order_by("id")
        .values_list("data__to", flat=True)
    ) == ["starter", "growth"]

    again = api.post("/api/v1/tenants/acme/subscription", {"plan": "growth"}, format="json")
    assert again.status_code == 409
    assert problem(again)["code"] == "plan_unchanged"


def test_a_declined_first_payment_leaves_the_tenant_on_its_plan(
    make_store: MakeStore, api_for: ApiFor, stripe_standin: stripe.StripeClient
) -> None:
    tenant, owner = make_store()
    api = api_for(owner)
    attached = api.post(
        "/api/v1/tenants/acme/payment-methods",
        {"payment_method": card(stripe_standin, DECLINED_ON_CHARGE)},
        format="json",
    )
    assert attached.status_code == 201, attached.json()

    response = api.post("/api/v1/tenants/acme/subscription", {"plan": "starter"}, format="json")

    assert response.status_code == 402
    assert problem(response)["code"] == "payment_failed"
    tenant.refresh_from_db()
    assert tenant.plan == "free"
    profile = BillingProfile.objects.get(tenant=tenant)
    assert profile.subscription_id == ""
    remote: Any = stripe_standin.v1.subscriptions.list(params={"customer": profile.stripe_customer_id, "status": "all"})
    assert [s["status"] for s in remote["data"]] == ["canceled"]


def test_a_card_declined_on_attach_is_a_402(
    make_store: MakeStore, api_for: ApiFor, stripe_standin: stripe.StripeClient
) -> None:
    _, owner = make_store()

    response = api_for(owner).post(
        "/api/v1/tenants/acme/payment-methods",
        {"payment_method": card(stripe_standin, DECLINED_ON_ATTACH)},
        format="json",
    )

    assert response.status_code == 402
    assert problem(response)["code"] == "payment_failed"
    assert api_for(owner).get("/api/v1/tenants/acme/payment-methods").json()["results"] == []


def test_cancel_at_period_end_then_now(
    make_store: MakeStore, api_for: ApiFor, stripe_standin: stripe.StripeClient
) -> None:
    tenant, owner = make_store()
    api = api_for(owner)
    api.post("/api/v1/tenants/acme/payment-methods", {"payment_method": card(stripe_standin)}, format="json")
    api.post("/api/v1/tenants/acme/subscription", {"plan": "starter"}, format="json")
    subscription_id = BillingProfile.objects.get(tenant=tenant).subscription_id

    later = api.post("/api/v1/tenants/acme/subscription/cancel", {}, format="json")

    assert later.status_code == 200, later.json()
    assert later.json()["subscription"]["cancel_at_period_end"] is True
    assert later.json()["plan"] == "starter"  # paid until the period ends
    assert stripe_standin.v1.subscriptions.retrieve(subscription_id)["cancel_at_period_end"] is True

    now = api.post("/api/v1/tenants/acme/subscription/cancel", {"at_period_end": False}, format="json")

    assert now.status_code == 200, now.json()
    assert now.json()["plan"] == "free"
    assert now.json()["subscription"] is None
    assert stripe_standin.v1.subscriptions.retrieve(subscription_id)["status"] == "canceled"
    nothing = api.post("/api/v1/tenants/acme/subscription/cancel", {}, format="json")
    assert nothing.status_code == 409
    assert problem(nothing)["code"] == "no_subscription"


def test_downgrading_to_free_cancels_the_subscription(
    make_store: MakeStore, api_for: ApiFor, stripe_standin: stripe.StripeClient
) -> None:
    tenant, owner = make_store()
    api = api_for(owner)
    api.post("/api/v1/tenants/acme/payment-methods", {"payment_method": card(stripe_standin)}, format="json")
    api.post("/api/v1/tenants/acme/subscription", {"plan": "growth"}, format="json")
    subscription_id = BillingProfile.objects.get(tenant=tenant).subscription_id

    response = api.post("/api/v1/tenants/acme/subscription", {"plan": "free"}, format="json")

    assert response.status_code == 200, response.json()
    tenant.refresh_from_db()
    assert tenant.plan == "free"
    assert stripe_standin.v1.subscriptions.retrieve(subscription_id)["status"] == "canceled"
