"""A tenant's billing profile and its Stripe customer: the billing country and payment methods.

Each action calls Stripe while it holds the tenant's BillingProfile row lock (`locked_profile`), so two
changes of one tenant serialize instead of, say, creating two customers or two subscriptions.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from djstripe import models as djstripe_models

from control_plane.audit.actions import record as record_audit
from control_plane.billing import stripe_api
from control_plane.billing.models import BillingProfile
from control_plane.tenants.models import Tenant


def locked_profile(tenant: Tenant) -> BillingProfile:
    """The tenant's billing profile, created if missing, locked until the transaction ends."""
    BillingProfile.objects.get_or_create(tenant=tenant)
    return BillingProfile.objects.select_for_update().select_related("tenant").get(tenant=tenant)


def ensure_customer(profile: BillingProfile, email: str) -> str:
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
        profile = locked_profile(tenant)
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
        profile = locked_profile(tenant)
        customer_id = ensure_customer(profile, actor.email)
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


def start_card_setup(tenant: Tenant, *, actor: Any) -> dict[str, str]:
    """A Stripe SetupIntent for the tenant's customer: Stripe.js confirms it with the card typed into its element
    (`confirmCardSetup`), which makes a payment method the portal then attaches (`attach_payment_method`)."""
    with transaction.atomic():
        profile = locked_profile(tenant)
        customer_id = ensure_customer(profile, actor.email)
        with stripe_api.errors_as_api_errors():
            intent = stripe_api.client().v1.setup_intents.create(
                params={"customer": customer_id, "usage": "off_session", "payment_method_types": ["card"]}
            )
    return {"client_secret": str(intent.client_secret), "publishable_key": settings.STRIPE_PUBLIC_KEY}
