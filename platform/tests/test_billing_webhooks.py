"""Stripe webhooks: signatures, storing once, plan sync, and dunning from a failed payment to suspension and back.

The dunning and first-payment tests let localstripe itself deliver its events to a live
control plane; `customer.subscription.updated`, which localstripe never sends, is signed
here with the endpoint's secret around a subscription read back from localstripe.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
import requests
import stripe
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone
from pytest_django.live_server_helper import LiveServer
from rest_framework.test import APIClient

from control_plane.accounts.models import User
from control_plane.audit.models import AuditEvent
from control_plane.billing.actions import dunning
from control_plane.billing.models import BillingProfile, Invoice, InvoiceStatus, LedgerBalance, StripeEvent
from control_plane.tenants.models import Tenant, TenantState
from tenantry_kernel.testing import wait_until
from tenantry_kernel.testing.problems import problem
from tenantry_kernel.testing.stripe import register_webhook, signed_event
from tests.billing_fixtures import DECLINED_ON_CHARGE, NEEDS_3DS, card

MakeStore = Callable[..., tuple[Tenant, User]]
ApiFor = Callable[[User | None], APIClient]
WEBHOOK = "/api/v1/billing/stripe/webhook"


def fail_3ds_challenge(localstripe_url: str, payment_intent: str, client_secret: str) -> None:
    """What the customer's browser does when they fail the bank's challenge (localstripe's own endpoint)."""
    response = requests.post(
        f"{localstripe_url}/v1/payment_intents/{payment_intent}/_authenticate",
        data={"client_secret": client_secret, "success": "false", "key": settings.STRIPE_PUBLIC_KEY},
        timeout=5,
    )
    response.raise_for_status()


def post_event(body: bytes, signature: str) -> Any:
    return APIClient().post(WEBHOOK, body, content_type="application/json", HTTP_STRIPE_SIGNATURE=signature)


def subscribe(api: APIClient, client: stripe.StripeClient, plan: str, *, number: str = "4242424242424242") -> Any:
    attached = api.post("/api/v1/tenants/acme/payment-methods", {"payment_method": card(client, number)}, format="json")
    assert attached.status_code == 201, attached.json()
    return api.post("/api/v1/tenants/acme/subscription", {"plan": plan, "country": "DE"}, format="json")


@pytest.mark.django_db
def test_a_forged_or_tampered_event_is_refused_and_not_stored() -> None:
    body, signature = signed_event(
        "invoice.paid", {"id": "in_x", "customer": "cus_x"}, "whsec_not_ours", event_id="evt_1"
    )

    forged = post_event(body, signature)
    _, good_signature = signed_event("invoice.paid", {"id": "in_x"}, settings.STRIPE_WEBHOOK_SECRET, event_id="evt_1")
    tampered = post_event(body, good_signature)
    unsigned = APIClient().post(WEBHOOK, body, content_type="application/json")

    for response in (forged, tampered, unsigned):
        assert response.status_code == 400
        assert problem(response)["code"] == "invalid_signature"
    assert StripeEvent.objects.count() == 0


@pytest.mark.django_db
def test_subscription_updated_at_stripe_syncs_the_plan_once(
    make_store: MakeStore, api_for: ApiFor, stripe_standin: stripe.StripeClient
) -> None:
    tenant, owner = make_store()
    assert subscribe(api_for(owner), stripe_standin, "starter").status_code == 200
    profile = BillingProfile.objects.get(tenant=tenant)
    # Someone changes the plan in Stripe's dashboard.
    stripe_standin.v1.subscriptions.update(
        profile.subscription_id,
        params={"items": [{"id": profile.subscription_item_id, "plan": "tenantry-growth-monthly-eur"}]},
    )
    remote: Any = stripe_standin.v1.subscriptions.retrieve(profile.subscription_id)
    body, signature = signed_event(
        "customer.subscription.updated", remote.to_dict(), settings.STRIPE_WEBHOOK_SECRET, event_id="evt_sub_upd_1"
    )

    first = post_event(body, signature)
    second = post_event(body, signature)  # Stripe delivers at least once

    assert first.status_code == 200, first.json()
    assert first.json() == {"id": "evt_sub_upd_1", "type": "customer.subscription.updated", "processed": True}
    assert second.status_code == 200
    tenant.refresh_from_db()
    assert tenant.plan == "growth"
    changes = AuditEvent.objects.filter(tenant="acme", action="tenant.plan_changed", source="stripe")
    assert list(changes.values_list("data__to", flat=True)) == ["growth"]
    assert StripeEvent.objects.get(id="evt_sub_upd_1").attempts == 1


@pytest.mark.django_db
def test_a_late_event_never_moves_the_tenant_back_to_an_older_plan(
    make_store: MakeStore, api_for: ApiFor, stripe_standin: stripe.StripeClient
) -> None:
    tenant, owner = make_store()
    api = api_for(owner)
    assert subscribe(api, stripe_standin, "starter").status_code == 200
    profile = BillingProfile.objects.get(tenant=tenant)
    # What Stripe said when the subscription was made, on the starter plan...
    created: Any = stripe_standin.v1.subscriptions.retrieve(profile.subscription_id)
    # ...arrives only after the owner has upgraded.
    assert api.post("/api/v1/tenants/acme/subscription", {"plan": "growth"}, format="json").status_code == 200
    body, signature = signed_event(
        "customer.subscription.created", created.to_dict(), settings.STRIPE_WEBHOOK_SECRET, event_id="evt_sub_late"
    )

    assert post_event(body, signature).status_code == 200

    tenant.refresh_from_db()
    assert tenant.plan == "growth"
    assert not AuditEvent.objects.filter(tenant="acme", action="tenant.plan_changed", source="stripe").exists()


@pytest.mark.django_db
def test_a_subscription_deleted_at_stripe_moves_the_tenant_to_free(
    make_store: MakeStore, api_for: ApiFor, stripe_standin: stripe.StripeClient
) -> None:
    tenant, owner = make_store()
    assert subscribe(api_for(owner), stripe_standin, "growth").status_code == 200
    profile = BillingProfile.objects.get(tenant=tenant)
    cancelled: Any = stripe_standin.v1.subscriptions.cancel(profile.subscription_id)
    body, signature = signed_event(
        "customer.subscription.deleted", cancelled.to_dict(), settings.STRIPE_WEBHOOK_SECRET, event_id="evt_sub_del"
    )

    assert post_event(body, signature).status_code == 200

    tenant.refresh_from_db()
    assert tenant.plan == "free"
    profile.refresh_from_db()
    assert (profile.subscription_id, profile.subscription_status) == ("", "canceled")


@pytest.mark.django_db(transaction=True)
def test_dunning_failed_payment_grace_suspension_and_resumption(
    make_store: MakeStore,
    api_for: ApiFor,
    stripe_standin: stripe.StripeClient,
    localstripe_url: str,
    live_server: LiveServer,
) -> None:
    # Given a ready tenant on the starter plan, with localstripe delivering its webhooks to the control plane
    register_webhook(localstripe_url, "control-plane", live_server.url + WEBHOOK, settings.STRIPE_WEBHOOK_SECRET)
    tenant, owner = make_store()
    api = api_for(owner)
    assert subscribe(api, stripe_standin, "starter").status_code == 200
    Tenant.objects.filter(pk=tenant.pk).update(state=TenantState.READY)
    profile = BillingProfile.objects.get(tenant=tenant)
    first_id = stripe_standin.v1.subscriptions.retrieve(profile.subscription_id)["latest_invoice"]
    first = wait_until(
        lambda: Invoice.objects.filter(stripe_invoice_id=first_id, status=InvoiceStatus.PAID).first(),
        timeout=15,
        what="the first invoice, paid, from localstripe's invoice.payment_succeeded",
    )
    year = timezone.now().year
    assert first.number == f"TY-{year}-000001"
    assert (first.subtotal, first.tax_name, first.tax_amount, first.total) == (
        Decimal("29.00"), "USt", Decimal("5.51"), Decimal("34.51"),
    )  # fmt: skip
    assert stripe_standin.v1.invoices.retrieve(first_id)["total"] == 3451  # Stripe charged what we invoice

    # When the next invoice's payment fails: the card on file needs 3-D Secure and the customer fails it
    api.post("/api/v1/tenants/acme/payment-methods", {"payment_method": card(stripe_standin, NEEDS_3DS)}, format="json")
    renewal: Any = stripe_standin.v1.invoices.create(
        params={"customer": profile.stripe_customer_id, "subscription": profile.subscription_id}
    )
    paying: Any = stripe_standin.v1.invoices.pay(renewal.id)  # localstripe's invoices still carry payment_intent
    attempt: Any = stripe_standin.v1.payment_intents.retrieve(paying["payment_intent"])
    assert attempt.status == "requires_action"
    fail_3ds_challenge(localstripe_url, attempt.id, attempt.client_secret)

    # Then the tenant gets a grace period, not a suspension
    profile = wait_until(
        lambda: BillingProfile.objects.filter(pk=profile.pk, grace_ends_at__isnull=False).first(),
        timeout=15,
        what="invoice.payment_failed handled",
    )
    assert profile.grace_ends_at - profile.payment_failed_at == timedelta(days=settings.BILLING_GRACE_DAYS)
    second = Invoice.objects.get(stripe_invoice_id=renewal.id)
    assert (second.number, second.status) == (f"TY-{year}-000002", InvoiceStatus.OPEN)
    assert dunning.suspend_overdue_tenants() == []
    tenant.refresh_from_db()
    assert tenant.state == TenantState.READY

    # When the grace period ends unpaid, the periodic sweep suspends the tenant (once)
    after_grace = profile.grace_ends_at + timedelta(seconds=1)
    assert dunning.suspend_overdue_tenants(after_grace) == ["acme"]
    assert dunning.suspend_overdue_tenants(after_grace) == []
    tenant.refresh_from_db()
    assert tenant.state == TenantState.SUSPENDED
    assert AuditEvent.objects.filter(tenant="acme", action="tenant.suspended", source="stripe").count() == 1

    # When the owner pays with a working card, the tenant is resumed
    api.post("/api/v1/tenants/acme/payment-methods", {"payment_method": card(stripe_standin)}, format="json")
    stripe_standin.v1.invoices.pay(renewal.id)

    wait_until(
        lambda: Tenant.objects.filter(pk=tenant.pk, state=TenantState.READY).exists(),
        timeout=15,
        what="the tenant resumed after invoice.payment_succeeded",
    )
    second.refresh_from_db()
    assert second.status == InvoiceStatus.PAID
    profile.refresh_from_db()
    assert (profile.payment_failed_at, profile.grace_ends_at, profile.suspended_for_nonpayment) == (None, None, False)
    # The ledger saw both invoices charged and paid.
    assert LedgerBalance.objects.get(tenant="acme", currency="EUR").balance == 0


@pytest.mark.django_db
def test_a_declined_first_payment_starts_no_dunning(
    make_store: MakeStore, api_for: ApiFor, stripe_standin: stripe.StripeClient
) -> None:
    # Given a first payment that was declined, so the new subscription was undone (402)
    tenant, owner = make_store()
    assert subscribe(api_for(owner), stripe_standin, "starter", number=DECLINED_ON_CHARGE).status_code == 402
    profile = BillingProfile.objects.get(tenant=tenant)
    unpaid: Any = stripe_standin.v1.invoices.list(params={"customer": profile.stripe_customer_id}).data[0]
    assert unpaid["status"] == "open"
    # When Stripe reports that invoice's failure (localstripe does not for a first payment; Stripe does)
    body, signature = signed_event(
        "invoice.payment_failed", unpaid.to_dict(), settings.STRIPE_WEBHOOK_SECRET, event_id="evt_first_failed"
    )

    assert post_event(body, signature).json()["processed"] is True

    # Then no dunning starts and no invoice is issued for a subscription that never began
    profile.refresh_from_db()
    assert profile.payment_failed_at is None
    assert not Invoice.objects.filter(tenant=tenant).exists()


@pytest.mark.django_db
def test_an_event_that_cannot_be_handled_is_kept_and_answered_503_for_a_retry(
    make_store: MakeStore, api_for: ApiFor, stripe_standin: stripe.StripeClient
) -> None:
    tenant, owner = make_store()
    assert subscribe(api_for(owner), stripe_standin, "starter").status_code == 200
    customer = BillingProfile.objects.get(tenant=tenant).stripe_customer_id
    # Signed by Stripe's secret, but an invoice without its lines.
    body, signature = signed_event(
        "invoice.paid", {"id": "in_broken", "customer": customer, "currency": "eur"},
        settings.STRIPE_WEBHOOK_SECRET, event_id="evt_broken",
    )  # fmt: skip

    response = post_event(body, signature)

    assert response.status_code == 503
    assert problem(response)["code"] == "webhook_not_processed"
    stored = StripeEvent.objects.get(id="evt_broken")
    assert (stored.processed_at, stored.attempts) == (None, 1)
    assert "KeyError" in stored.last_error
    assert not Invoice.objects.filter(stripe_invoice_id="in_broken").exists()


@pytest.mark.django_db
def test_the_dunning_command_suspends_only_tenants_past_their_grace(make_store: MakeStore) -> None:
    overdue, _ = make_store("overdue", state=TenantState.READY)
    in_grace, _ = make_store("ingrace", state=TenantState.READY)
    now = timezone.now()
    BillingProfile.objects.create(tenant=overdue, payment_failed_at=now - timedelta(days=8), grace_ends_at=now)
    BillingProfile.objects.create(tenant=in_grace, payment_failed_at=now, grace_ends_at=now + timedelta(days=7))
    out = io.StringIO()

    call_command("suspend_overdue_tenants", stdout=out)

    assert out.getvalue().strip() == "suspended 1 tenant(s): overdue"
    overdue.refresh_from_db()
    in_grace.refresh_from_db()
    assert (overdue.state, in_grace.state) == (TenantState.SUSPENDED, TenantState.READY)
    assert BillingProfile.objects.get(tenant=overdue).suspended_for_nonpayment is True
