"""Stripe's webhook events: stored once by id, handled once, each type by the action it calls for.

A failed payment opens dunning's grace period, a paid invoice may close it, and a subscription Stripe
changed (its dashboard, a renewal, a cancellation) moves the tenant's plan with it.

Stripe does not deliver events in order: a subscription's `created` can arrive after the `updated` of
an upgrade made a second later. A subscription event therefore only says which subscription to read;
its state is read back from Stripe, so a late event can never move a tenant back to an older plan.
"""

from __future__ import annotations

from typing import Any

import stripe
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from control_plane.billing import plans, stripe_api
from control_plane.billing.actions import dunning
from control_plane.billing.actions.invoices import issue_invoice, mark_paid
from control_plane.billing.actions.subscriptions import forget_subscription, record_subscription, switch_tenant_plan
from control_plane.billing.models import BillingProfile, StripeEvent
from tenantry_kernel.provisioning.plans import PlanName


def receive_stripe_event(event: dict[str, Any]) -> StripeEvent:
    """Store a verified Stripe event once, by its id, then handle it unless it was handled before."""
    stored, _ = StripeEvent.objects.get_or_create(id=event["id"], defaults={"type": event["type"], "payload": event})
    if stored.processed_at is None:
        process_stripe_event(stored.id)
        stored.refresh_from_db()
    return stored


def process_stripe_event(event_id: str) -> None:
    """Handle one stored event; the row lock makes a concurrent redelivery wait, then see it handled."""
    try:
        with transaction.atomic():
            stored = StripeEvent.objects.select_for_update().get(id=event_id)
            if stored.processed_at is not None:
                return
            handler = _HANDLERS.get(stored.type)
            if handler is not None:
                handler(stored.payload["data"]["object"])
            stored.processed_at = timezone.now()
            stored.attempts += 1
            stored.last_error = ""
            stored.save(update_fields=["processed_at", "attempts", "last_error"])
    except Exception as exc:
        StripeEvent.objects.filter(id=event_id).update(attempts=F("attempts") + 1, last_error=repr(exc)[:2000])
        raise


def _profile_for_customer(customer_id: str | None) -> BillingProfile | None:
    if not customer_id:
        return None
    return (
        BillingProfile.objects.select_for_update()
        .select_related("tenant")
        .filter(stripe_customer_id=customer_id)
        .first()
    )


def _subscription_of(stripe_invoice: dict[str, Any]) -> str | None:
    """The invoice's subscription id: a top-level field before API version 2025-03-31, under `parent` after."""
    parent = stripe_invoice.get("parent") or {}
    details = parent.get("subscription_details") or {}
    return stripe_invoice.get("subscription") or details.get("subscription") or None


def _on_payment_failed(stripe_invoice: dict[str, Any]) -> None:
    profile = _profile_for_customer(stripe_invoice.get("customer"))
    if profile is None:
        return
    if _subscription_of(stripe_invoice) not in (None, profile.subscription_id):
        return  # a subscription that was undone when its first payment failed (change_subscription)
    invoice = issue_invoice(profile, stripe_invoice)
    dunning.begin_grace_period(profile, invoice)


def _on_invoice_paid(stripe_invoice: dict[str, Any]) -> None:
    profile = _profile_for_customer(stripe_invoice.get("customer"))
    if profile is None:
        return
    invoice = mark_paid(profile, issue_invoice(profile, stripe_invoice), stripe_invoice)
    dunning.end_if_paid_up(profile, invoice)


def _current(subscription: dict[str, Any]) -> dict[str, Any]:
    """The subscription as Stripe has it now; one Stripe no longer knows has ended."""
    try:
        current: dict[str, Any] = stripe_api.client().v1.subscriptions.retrieve(subscription["id"]).to_dict()
    except stripe.InvalidRequestError as exc:
        if exc.code != "resource_missing":
            raise
        return {**subscription, "status": "canceled"}
    return current


def _on_subscription_changed(announced: dict[str, Any]) -> None:
    profile = _profile_for_customer(announced.get("customer"))
    if profile is None:
        return
    subscription = _current(announced)
    if subscription["status"] in ("canceled", "incomplete_expired"):
        if profile.subscription_id == subscription["id"]:
            forget_subscription(profile, subscription["status"])
            switch_tenant_plan(profile.tenant, PlanName.FREE, actor=None, request=None, source="stripe")
        return
    if profile.subscription_id not in ("", subscription["id"]):
        return  # an older subscription's late news
    record_subscription(profile, subscription)
    items = subscription["items"]["data"]
    offer = plans.offer_for_stripe_price(items[0]["plan"]["id"]) if items else None
    if offer is not None and subscription["status"] in ("active", "trialing", "past_due"):
        switch_tenant_plan(profile.tenant, offer.name.value, actor=None, request=None, source="stripe")


_HANDLERS: dict[str, Any] = {
    "invoice.payment_failed": _on_payment_failed,
    "invoice.paid": _on_invoice_paid,
    "invoice.payment_succeeded": _on_invoice_paid,
    "customer.subscription.created": _on_subscription_changed,
    "customer.subscription.updated": _on_subscription_changed,
    "customer.subscription.deleted": _on_subscription_changed,
}
