"""Every billing state change: the ledger (event-sourced), Stripe customers and subscriptions, dunning, invoices."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import stripe
from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone
from djstripe import models as djstripe_models

from control_plane.audit.actions import record as record_audit
from control_plane.billing import plans, stripe_api
from control_plane.billing.ledger import BillingAccount, LedgerProjection
from control_plane.billing.models import (
    BillingProfile,
    Invoice,
    InvoiceSequence,
    InvoiceStatus,
    StripeEvent,
    TaxRate,
)
from control_plane.tenants.actions import lifecycle as tenant_actions
from control_plane.tenants.models import Tenant, TenantState
from tenantry_kernel.events.store import Repository
from tenantry_kernel.provisioning.plans import PlanName
from tenantry_kernel.web.exceptions import Conflict

accounts = Repository(BillingAccount)


def _record(tenant: str, entries: list[tuple[str, dict[str, Any]]]) -> BillingAccount:
    with transaction.atomic():
        account = accounts.load(tenant) or BillingAccount(tenant)
        for type_name, data in entries:
            account.record(type_name, data)
        LedgerProjection().handle(accounts.save(account))
    return account


def _money(amount: Decimal, currency: str) -> dict[str, str]:
    # Fixed-point text ("100", "9.99"), never an exponent ("1E+2"), at most 4 decimals.
    return {"amount": format(amount.quantize(Decimal("0.0001")).normalize(), "f"), "currency": currency}


def record_usage(tenant: str, metric: str, quantity: int, *, source_event: str, period_end: str) -> BillingAccount:
    """Usage a tenant reported (the `usage.reported` consumer); pricing it is the invoicing step's job."""
    data = {"metric": metric, "quantity": quantity, "source_event": source_event, "period_end": period_end}
    return _record(tenant, [("billing.usage_recorded", data)])


def charge(tenant: str, amount: Decimal, currency: str, description: str) -> BillingAccount:
    return _record(tenant, [("billing.charged", {"amount": _money(amount, currency), "description": description})])


def receive_payment(tenant: str, amount: Decimal, currency: str, reference: str) -> BillingAccount:
    data = {"amount": _money(amount, currency), "reference": reference}
    return _record(tenant, [("billing.payment_received", data)])


def credit(tenant: str, amount: Decimal, currency: str, reason: str) -> BillingAccount:
    return _record(tenant, [("billing.credited", {"amount": _money(amount, currency), "reason": reason})])


# --- Stripe: customers, payment methods, subscriptions, webhooks, dunning, invoices -----------------------------
#
# Each action calls Stripe while it holds the tenant's BillingProfile row lock, so two plan
# changes of one tenant serialize instead of creating two subscriptions; the local record,
# the tenant's plan, the audit entry and the ledger entries commit together afterwards.


class PlanUnchanged(Conflict):
    default_code = "plan_unchanged"
    default_detail = "The tenant is already on that plan."


class PaymentMethodRequired(Conflict):
    default_code = "payment_method_required"
    default_detail = "Add a payment method before subscribing to a paid plan."


class NoSubscription(Conflict):
    default_code = "no_subscription"
    default_detail = "The tenant has no paid subscription to cancel."


def _locked_profile(tenant: Tenant) -> BillingProfile:
    """The tenant's billing profile, created if missing, locked until the transaction ends."""
    BillingProfile.objects.get_or_create(tenant=tenant)
    return BillingProfile.objects.select_for_update().select_related("tenant").get(tenant=tenant)


def ensure_catalogue() -> None:
    """Create each paid plan's Stripe Product and monthly Plan unless Stripe has them (idempotent)."""
    api = stripe_api.client()
    with stripe_api.errors_as_api_errors():
        for offer in plans.OFFERS.values():
            if offer.is_free:
                continue
            try:
                api.v1.plans.retrieve(offer.stripe_plan_id)
                continue
            except stripe.StripeError as exc:
                if not stripe_api.is_missing(exc):
                    raise
            try:
                api.v1.products.retrieve(offer.stripe_product_id)
            except stripe.StripeError as exc:
                if not stripe_api.is_missing(exc):
                    raise
                api.v1.products.create(params={"id": offer.stripe_product_id, "name": f"Tenantry {offer.title}"})
            api.v1.plans.create(
                params={
                    "id": offer.stripe_plan_id,
                    "product": offer.stripe_product_id,
                    "amount": offer.minor_units,
                    "currency": offer.currency.lower(),
                    "interval": "month",
                }
            )


def _ensure_customer(profile: BillingProfile, email: str) -> str:
    """The Stripe customer of a locked profile, created (and mirrored in dj-stripe) the first time."""
    if profile.stripe_customer_id:
        return profile.stripe_customer_id
    tenant = profile.tenant
    with stripe_api.errors_as_api_errors():
        customer = stripe_api.client().v1.customers.create(
            params={"email": email, "name": tenant.name, "metadata": {"tenant": tenant.slug}},
            # A retry after a lost answer gets the same customer, not a second one.
            options={"idempotency_key": f"tenantry-customer-{tenant.pk}"},
        )
        mirrored = djstripe_models.Customer.sync_from_stripe_data(customer, api_key=settings.STRIPE_SECRET_KEY)
    profile.stripe_customer_id = customer.id
    profile.djstripe_customer = mirrored
    profile.save(update_fields=["stripe_customer_id", "djstripe_customer", "updated_at"])
    record_audit("billing.customer_created", tenant=tenant.slug, target=profile, data={"customer": customer.id})
    return customer.id


def set_billing_country(
    tenant: Tenant, country: str, *, actor: Any = None, request: HttpRequest | None = None
) -> BillingProfile:
    with transaction.atomic():
        profile = _locked_profile(tenant)
        if profile.country != country:
            profile.country = country
            profile.save(update_fields=["country", "updated_at"])
            record_audit(
                "billing.country_set", actor=actor, tenant=tenant.slug, target=profile,
                data={"country": country}, request=request, source="portal",
            )  # fmt: skip
    return profile


def attach_payment_method(
    tenant: Tenant, payment_method_id: str, *, actor: Any, request: HttpRequest | None = None
) -> djstripe_models.PaymentMethod:
    """Attach a payment method (tokenised by Stripe.js in the browser) and make it the default."""
    with transaction.atomic():
        profile = _locked_profile(tenant)
        customer_id = _ensure_customer(profile, actor.email)
        api = stripe_api.client()
        with stripe_api.errors_as_api_errors():
            method = api.v1.payment_methods.attach(payment_method_id, params={"customer": customer_id})
            customer = api.v1.customers.update(
                customer_id, params={"invoice_settings": {"default_payment_method": method.id}}
            )
            mirrored: djstripe_models.PaymentMethod = djstripe_models.PaymentMethod.sync_from_stripe_data(
                method, api_key=settings.STRIPE_SECRET_KEY
            )
            djstripe_models.Customer.sync_from_stripe_data(customer, api_key=settings.STRIPE_SECRET_KEY)
        record_audit(
            "billing.payment_method_attached", actor=actor, tenant=tenant.slug, target=profile,
            data={"payment_method": method.id, "type": method.type}, request=request, source="portal",
        )  # fmt: skip
    return mirrored


def _tax_rate_for(profile: BillingProfile) -> TaxRate | None:
    if not profile.country:
        return None
    return TaxRate.objects.filter(country=profile.country).first()


def _stripe_tax_rate_ids(profile: BillingProfile) -> list[str]:
    """The Stripe TaxRate for the profile's country (created once), so Stripe charges the tax we invoice."""
    rate = _tax_rate_for(profile)
    if rate is None or rate.percentage == 0:
        return []
    if not rate.stripe_tax_rate_id:
        locked = TaxRate.objects.select_for_update().get(pk=rate.pk)
        if not locked.stripe_tax_rate_id:
            with stripe_api.errors_as_api_errors():
                created = stripe_api.client().v1.tax_rates.create(
                    params={
                        "display_name": locked.name,
                        "percentage": float(locked.percentage),
                        "inclusive": False,
                        "jurisdiction": locked.country,
                    },
                    options={"idempotency_key": f"tenantry-tax-{locked.country}-{locked.percentage}"},
                )
            locked.stripe_tax_rate_id = created.id
            locked.save(update_fields=["stripe_tax_rate_id"])
        rate = locked
    return [rate.stripe_tax_rate_id]


def _record_subscription(profile: BillingProfile, subscription: Any) -> None:
    items = subscription["items"]["data"]
    profile.subscription_id = subscription["id"]
    profile.subscription_item_id = items[0]["id"] if items else ""
    profile.subscription_status = subscription["status"]
    profile.cancel_at_period_end = bool(subscription.get("cancel_at_period_end"))
    period_end = subscription.get("current_period_end") or (items[0].get("current_period_end") if items else None)
    profile.current_period_end = datetime.fromtimestamp(period_end, tz=UTC) if period_end else None
    profile.save(
        update_fields=[
            "subscription_id", "subscription_item_id", "subscription_status", "cancel_at_period_end",
            "current_period_end", "updated_at",
        ]
    )  # fmt: skip


def _forget_subscription(profile: BillingProfile, status: str) -> None:
    profile.subscription_id = ""
    profile.subscription_item_id = ""
    profile.subscription_status = status
    profile.cancel_at_period_end = False
    profile.current_period_end = None
    profile.save(
        update_fields=[
            "subscription_id", "subscription_item_id", "subscription_status", "cancel_at_period_end",
            "current_period_end", "updated_at",
        ]
    )  # fmt: skip


def _switch_tenant_plan(tenant: Tenant, plan: str, *, actor: Any, request: HttpRequest | None, source: str) -> None:
    """The one place billing moves a tenant to another plan: the tenants app's action does it."""
    if Tenant.objects.filter(pk=tenant.pk, plan=plan).exists():
        return
    tenant_actions.change_plan(tenant, plan, actor=actor, request=request, source=source)


def preview_plan_change(tenant: Tenant, plan: str) -> dict[str, Any]:
    """What changing to `plan` would cost now: Stripe's prorated preview, or the first month's price."""
    offer = plans.offer_for(plan)
    profile, _ = BillingProfile.objects.get_or_create(tenant=tenant)
    if offer.is_free:
        return {"plan": plan, "currency": offer.currency, "amount_due": "0.00", "lines": []}
    if not profile.subscription_id:
        rate = _tax_rate_for(profile)
        tax = _tax(offer.monthly_price, rate)
        lines = [{"description": f"Tenantry {offer.title} (1 month)", "amount": f"{offer.monthly_price:.2f}"}]
        amount_due = f"{offer.monthly_price + tax:.2f}"
        return {"plan": plan, "currency": offer.currency, "amount_due": amount_due, "lines": lines}
    ensure_catalogue()
    with stripe_api.errors_as_api_errors():
        preview = stripe_api.client().v1.invoices.create_preview(
            params={
                "customer": profile.stripe_customer_id,
                "subscription": profile.subscription_id,
                "subscription_details": {"items": [{"id": profile.subscription_item_id, "plan": offer.stripe_plan_id}]},
            }
        )
    currency = preview["currency"]
    return {
        "plan": plan,
        "currency": currency.upper(),
        "amount_due": f"{stripe_api.from_minor(preview['total'], currency):.2f}",
        "lines": [_line(line, currency) for line in preview["lines"]["data"]],
    }


def _line(line: Any, currency: str) -> dict[str, str]:
    return {
        "description": line.get("description") or "",
        "amount": f"{stripe_api.from_minor(line['amount'], currency):.2f}",
    }


def change_subscription(tenant: Tenant, plan: str, *, actor: Any, request: HttpRequest | None = None) -> BillingProfile:
    """Subscribe, upgrade or downgrade (Stripe prorates the difference), or drop to free (cancels now).

    The tenant's plan changes only once Stripe has accepted: a declined first payment leaves
    the tenant where it was (402 `payment_failed`) and no half-made subscription behind.
    """
    offer = plans.offer_for(plan)
    if not offer.is_free:
        ensure_catalogue()
    with transaction.atomic():
        profile = _locked_profile(tenant)
        if profile.tenant.plan == plan and (offer.is_free or profile.subscription_id):
            raise PlanUnchanged(f"Tenant {tenant.slug!r} is already on the {plan} plan.")
        api = stripe_api.client()
        from_plan = profile.tenant.plan
        if offer.is_free:
            if profile.subscription_id:
                with stripe_api.errors_as_api_errors():
                    api.v1.subscriptions.cancel(profile.subscription_id)
                _forget_subscription(profile, "canceled")
        elif profile.subscription_id:
            with stripe_api.errors_as_api_errors():
                subscription = api.v1.subscriptions.update(
                    profile.subscription_id,
                    # Stripe's default proration (create_prorations) credits the unused time.
                    params={"items": [{"id": profile.subscription_item_id, "plan": offer.stripe_plan_id}]},
                )
            _record_subscription(profile, subscription)
        else:
            customer_id = _ensure_customer(profile, actor.email if actor is not None else "")
            with stripe_api.errors_as_api_errors():
                customer = api.v1.customers.retrieve(customer_id)
                if not (customer.invoice_settings and customer.invoice_settings.default_payment_method):
                    raise PaymentMethodRequired()
                subscription = api.v1.subscriptions.create(
                    params={
                        "customer": customer_id,
                        "items": [{"plan": offer.stripe_plan_id}],
                        "default_tax_rates": _stripe_tax_rate_ids(profile),
                        "metadata": {"tenant": tenant.slug},
                    }
                )
                if subscription["status"] not in ("active", "trialing"):
                    # The first payment failed: undo rather than leave an unpaid subscription open.
                    api.v1.subscriptions.cancel(subscription["id"])
                    raise stripe_api.PaymentFailed()
            _record_subscription(profile, subscription)
        _switch_tenant_plan(profile.tenant, plan, actor=actor, request=request, source="portal")
        record_audit(
            "billing.subscription_changed", actor=actor, tenant=tenant.slug, target=profile,
            data={"from": from_plan, "to": plan, "subscription": profile.subscription_id},
            request=request, source="portal",
        )  # fmt: skip
    tenant.refresh_from_db()
    return profile


def cancel_subscription(
    tenant: Tenant, *, at_period_end: bool = True, actor: Any, request: HttpRequest | None = None
) -> BillingProfile:
    """Cancel the paid subscription: at the end of the paid period (default) or now (back to free)."""
    with transaction.atomic():
        profile = _locked_profile(tenant)
        if not profile.subscription_id:
            raise NoSubscription(f"Tenant {tenant.slug!r} has no paid subscription to cancel.")
        api = stripe_api.client()
        with stripe_api.errors_as_api_errors():
            if at_period_end:
                subscription = api.v1.subscriptions.update(
                    profile.subscription_id, params={"cancel_at_period_end": True}
                )
                _record_subscription(profile, subscription)
            else:
                api.v1.subscriptions.cancel(profile.subscription_id)
                _forget_subscription(profile, "canceled")
                _switch_tenant_plan(profile.tenant, PlanName.FREE, actor=actor, request=request, source="portal")
        record_audit(
            "billing.subscription_cancelled", actor=actor, tenant=tenant.slug, target=profile,
            data={"at_period_end": at_period_end}, request=request, source="portal",
        )  # fmt: skip
    tenant.refresh_from_db()
    return profile


# --- invoices: the platform's own, numbered without gaps -----------------------------------------------------------


def _tax(subtotal: Decimal, rate: TaxRate | None) -> Decimal:
    if rate is None:
        return Decimal("0.00")
    return (subtotal * rate.percentage / 100).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _next_invoice_number(year: int) -> str:
    """Allocate the year's next number under a row lock: concurrent issuers wait, a rollback gives it back."""
    InvoiceSequence.objects.get_or_create(year=year)
    sequence = InvoiceSequence.objects.select_for_update().get(year=year)
    sequence.last_number += 1
    sequence.save(update_fields=["last_number"])
    return f"TY-{year}-{sequence.last_number:06d}"


def _timestamp(value: Any) -> datetime | None:
    return datetime.fromtimestamp(value, tz=UTC) if value else None


def issue_invoice(profile: BillingProfile, stripe_invoice: dict[str, Any]) -> Invoice:
    """The platform invoice for a Stripe invoice: issued once (by Stripe's id), charged to the ledger."""
    existing = Invoice.objects.filter(stripe_invoice_id=stripe_invoice["id"]).first()
    if existing is not None:
        return existing
    with transaction.atomic():
        tenant = profile.tenant
        currency = str(stripe_invoice["currency"]).upper()
        subtotal = stripe_api.from_minor(stripe_invoice["subtotal"], currency)
        rate = _tax_rate_for(profile)
        tax_amount = _tax(subtotal, rate)
        issued_at = timezone.now()
        invoice = Invoice.objects.create(
            number=_next_invoice_number(issued_at.year),
            tenant=tenant,
            stripe_invoice_id=stripe_invoice["id"],
            issued_at=issued_at,
            period_start=_timestamp(stripe_invoice.get("period_start")),
            period_end=_timestamp(stripe_invoice.get("period_end")),
            currency=currency,
            subtotal=subtotal,
            tax_name=rate.name if rate else "",
            tax_country=rate.country if rate else "",
            tax_percentage=rate.percentage if rate else Decimal(0),
            tax_amount=tax_amount,
            total=subtotal + tax_amount,
            lines=[_line(line, currency) for line in stripe_invoice["lines"]["data"]],
            bill_to={
                "name": tenant.name,
                "slug": tenant.slug,
                "email": stripe_invoice.get("customer_email") or "",
                "country": profile.country,
            },
        )
        charge(tenant.slug, invoice.total, currency, f"Invoice {invoice.number}")
        record_audit("billing.invoice_issued", tenant=tenant.slug, target=invoice, data={"number": invoice.number},
                     source="stripe")  # fmt: skip
    return invoice


# --- webhooks and dunning ------------------------------------------------------------------------------------------


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
    if profile.payment_failed_at is None:
        now = timezone.now()
        profile.payment_failed_at = now
        profile.grace_ends_at = now + timedelta(days=settings.BILLING_GRACE_DAYS)
        profile.save(update_fields=["payment_failed_at", "grace_ends_at", "updated_at"])
    grace_ends_at = profile.grace_ends_at.isoformat() if profile.grace_ends_at else ""
    record_audit(
        "billing.payment_failed", tenant=profile.tenant.slug, target=invoice,
        data={"invoice": invoice.number, "grace_ends_at": grace_ends_at}, source="stripe",
    )  # fmt: skip


def _on_invoice_paid(stripe_invoice: dict[str, Any]) -> None:
    profile = _profile_for_customer(stripe_invoice.get("customer"))
    if profile is None:
        return
    invoice = issue_invoice(profile, stripe_invoice)
    locked = Invoice.objects.select_for_update().get(pk=invoice.pk)
    if locked.status != InvoiceStatus.PAID:
        locked.status = InvoiceStatus.PAID
        locked.paid_at = _timestamp((stripe_invoice.get("status_transitions") or {}).get("paid_at")) or timezone.now()
        locked.save(update_fields=["status", "paid_at"])
        receive_payment(profile.tenant.slug, locked.total, locked.currency, stripe_invoice["id"])
    if Invoice.objects.filter(tenant=profile.tenant, status=InvoiceStatus.OPEN).exists():
        return  # still owes another invoice: dunning goes on
    was_suspended = profile.suspended_for_nonpayment
    profile.payment_failed_at = None
    profile.grace_ends_at = None
    profile.suspended_for_nonpayment = False
    profile.save(update_fields=["payment_failed_at", "grace_ends_at", "suspended_for_nonpayment", "updated_at"])
    if was_suspended and profile.tenant.state == TenantState.SUSPENDED:
        tenant_actions.transition(
            profile.tenant, TenantState.READY, reason=f"Invoice {locked.number} paid.", source="stripe"
        )


def _on_subscription_changed(subscription: dict[str, Any]) -> None:
    profile = _profile_for_customer(subscription.get("customer"))
    if profile is None:
        return
    if subscription["status"] in ("canceled", "incomplete_expired"):
        if profile.subscription_id == subscription["id"]:
            _forget_subscription(profile, subscription["status"])
            _switch_tenant_plan(profile.tenant, PlanName.FREE, actor=None, request=None, source="stripe")
        return
    if profile.subscription_id not in ("", subscription["id"]):
        return  # an older subscription's late news
    _record_subscription(profile, subscription)
    items = subscription["items"]["data"]
    offer = plans.offer_for_stripe_plan(items[0]["plan"]["id"]) if items else None
    if offer is not None and subscription["status"] in ("active", "trialing", "past_due"):
        _switch_tenant_plan(profile.tenant, offer.name.value, actor=None, request=None, source="stripe")


_HANDLERS: dict[str, Any] = {
    "invoice.payment_failed": _on_payment_failed,
    "invoice.paid": _on_invoice_paid,
    "invoice.payment_succeeded": _on_invoice_paid,
    "customer.subscription.created": _on_subscription_changed,
    "customer.subscription.updated": _on_subscription_changed,
    "customer.subscription.deleted": _on_subscription_changed,
}


def suspend_overdue_tenants(now: datetime | None = None) -> list[str]:
    """Suspend every ready tenant whose grace period ended unpaid; returns their slugs (idempotent)."""
    now = now or timezone.now()
    suspended = []
    overdue = BillingProfile.objects.filter(grace_ends_at__lte=now, tenant__state=TenantState.READY)
    for profile_id in overdue.values_list("pk", flat=True):
        with transaction.atomic():
            profile = BillingProfile.objects.select_for_update().select_related("tenant").get(pk=profile_id)
            if profile.grace_ends_at is None or profile.grace_ends_at > now:
                continue  # paid meanwhile
            if profile.tenant.state != TenantState.READY:
                continue
            since = profile.payment_failed_at.date().isoformat() if profile.payment_failed_at else "?"
            tenant_actions.transition(
                profile.tenant, TenantState.SUSPENDED, reason=f"Payment overdue since {since}.", source="stripe"
            )
            profile.suspended_for_nonpayment = True
            profile.save(update_fields=["suspended_for_nonpayment", "updated_at"])
            suspended.append(profile.tenant.slug)
    return suspended
