"""A tenant's paid subscription: Stripe's catalogue of the paid plans, subscribing, changing plan (with a
prorated preview) and cancelling; the tenant's plan follows what Stripe accepted.

Each action calls Stripe while it holds the tenant's BillingProfile row lock, so two plan
changes of one tenant serialize instead of creating two subscriptions; the local record,
the tenant's plan, the audit entry and the ledger entries commit together afterwards.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import stripe
from django.db import transaction
from django.http import HttpRequest

from control_plane.audit.actions import record as record_audit
from control_plane.billing import plans, stripe_api
from control_plane.billing.actions.customers import ensure_customer, locked_profile
from control_plane.billing.actions.invoices import invoice_line, tax, tax_rate_for
from control_plane.billing.models import BillingProfile, TaxRate
from control_plane.tenants.actions import lifecycle
from control_plane.tenants.models import Tenant
from tenantry_kernel.provisioning.plans import PlanName
from tenantry_kernel.web.exceptions import Conflict


class PlanUnchanged(Conflict):
    default_code = "plan_unchanged"
    default_detail = "The tenant is already on that plan."


class PaymentMethodRequired(Conflict):
    default_code = "payment_method_required"
    default_detail = "Add a payment method before subscribing to a paid plan."


class NoSubscription(Conflict):
    default_code = "no_subscription"
    default_detail = "The tenant has no paid subscription to cancel."


def ensure_catalogue() -> None:
    """Create each paid plan's Stripe Product and monthly price unless Stripe has them (idempotent)."""
    api = stripe_api.client()
    with stripe_api.errors_as_api_errors():
        for offer in plans.OFFERS.values():
            if offer.is_free:
                continue
            try:
                api.v1.plans.retrieve(offer.stripe_price_id)
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
                    "id": offer.stripe_price_id,
                    "product": offer.stripe_product_id,
                    "amount": offer.minor_units,
                    "currency": offer.currency.lower(),
                    "interval": "month",
                }
            )


def _stripe_tax_rate_ids(profile: BillingProfile) -> list[str]:
    """The Stripe TaxRate for the profile's country (created once), so Stripe charges the tax we invoice."""
    rate = tax_rate_for(profile)
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


def record_subscription(profile: BillingProfile, subscription: Any) -> None:
    """Keep what the locked profile needs of a Stripe subscription: ids, status, period end."""
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


def forget_subscription(profile: BillingProfile, status: str) -> None:
    """The locked profile without a subscription, which ended with `status`."""
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


def switch_tenant_plan(tenant: Tenant, plan: str, *, actor: Any, request: HttpRequest | None, source: str) -> None:
    """The one place billing moves a tenant to another plan: the tenants app's action does it."""
    if Tenant.objects.filter(pk=tenant.pk, plan=plan).exists():
        return
    lifecycle.change_plan(tenant, plan, actor=actor, request=request, source=source)


def preview_plan_change(tenant: Tenant, plan: str) -> dict[str, Any]:
    """What changing to `plan` would cost now: Stripe's prorated preview, or the first month's price."""
    offer = plans.offer_for(plan)
    profile, _ = BillingProfile.objects.get_or_create(tenant=tenant)
    if offer.is_free:
        return {"plan": plan, "currency": offer.currency, "amount_due": "0.00", "lines": []}
    if not profile.subscription_id:
        rate = tax_rate_for(profile)
        tax_amount = tax(offer.monthly_price, rate)
        lines = [{"description": f"Tenantry {offer.title} (1 month)", "amount": f"{offer.monthly_price:.2f}"}]
        amount_due = f"{offer.monthly_price + tax_amount:.2f}"
        return {"plan": plan, "currency": offer.currency, "amount_due": amount_due, "lines": lines}
    ensure_catalogue()
    with stripe_api.errors_as_api_errors():
        preview = stripe_api.client().v1.invoices.create_preview(
            params={
                "customer": profile.stripe_customer_id,
                "subscription": profile.subscription_id,
                "subscription_details": {
                    "items": [{"id": profile.subscription_item_id, "plan": offer.stripe_price_id}]
                },
            }
        )
    currency = preview["currency"]
    return {
        "plan": plan,
        "currency": currency.upper(),
        "amount_due": f"{stripe_api.from_minor(preview['total'], currency):.2f}",
        "lines": [invoice_line(line, currency) for line in preview["lines"]["data"]],
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
        profile = locked_profile(tenant)
        if profile.tenant.plan == plan and (offer.is_free or profile.subscription_id):
            raise PlanUnchanged(f"Tenant {tenant.slug!r} is already on the {plan} plan.")
        api = stripe_api.client()
        from_plan = profile.tenant.plan
        if offer.is_free:
            if profile.subscription_id:
                with stripe_api.errors_as_api_errors():
                    api.v1.subscriptions.cancel(profile.subscription_id)
                forget_subscription(profile, "canceled")
        elif profile.subscription_id:
            with stripe_api.errors_as_api_errors():
                subscription = api.v1.subscriptions.update(
                    profile.subscription_id,
                    # Stripe's default proration (create_prorations) credits the unused time.
                    params={"items": [{"id": profile.subscription_item_id, "plan": offer.stripe_price_id}]},
                )
            record_subscription(profile, subscription)
        else:
            customer_id = ensure_customer(profile, actor.email if actor is not None else "")
            with stripe_api.errors_as_api_errors():
                customer = api.v1.customers.retrieve(customer_id)
                if not (customer.invoice_settings and customer.invoice_settings.default_payment_method):
                    raise PaymentMethodRequired()
                subscription = api.v1.subscriptions.create(
                    params={
                        "customer": customer_id,
                        "items": [{"plan": offer.stripe_price_id}],
                        "default_tax_rates": _stripe_tax_rate_ids(profile),
                        "metadata": {"tenant": tenant.slug},
                    }
                )
                if subscription["status"] not in ("active", "trialing"):
                    # The first payment failed: undo rather than leave an unpaid subscription open.
                    api.v1.subscriptions.cancel(subscription["id"])
                    raise stripe_api.PaymentFailed()
            record_subscription(profile, subscription)
        switch_tenant_plan(profile.tenant, plan, actor=actor, request=request, source="portal")
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
        profile = locked_profile(tenant)
        if not profile.subscription_id:
            raise NoSubscription(f"Tenant {tenant.slug!r} has no paid subscription to cancel.")
        api = stripe_api.client()
        with stripe_api.errors_as_api_errors():
            if at_period_end:
                subscription = api.v1.subscriptions.update(
                    profile.subscription_id, params={"cancel_at_period_end": True}
                )
                record_subscription(profile, subscription)
            else:
                api.v1.subscriptions.cancel(profile.subscription_id)
                forget_subscription(profile, "canceled")
                switch_tenant_plan(profile.tenant, PlanName.FREE, actor=actor, request=request, source="portal")
        record_audit(
            "billing.subscription_cancelled", actor=actor, tenant=tenant.slug, target=profile,
            data={"at_period_end": at_period_end}, request=request, source="portal",
        )  # fmt: skip
    tenant.refresh_from_db()
    return profile
