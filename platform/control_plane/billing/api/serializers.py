"""What the billing API reads and answers."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from control_plane.billing.models import BillingProfile, Invoice
from control_plane.billing.plans import ORDER
from control_plane.tenants.models import Tenant

PLAN_CHOICES = [plan.value for plan in ORDER]


class SubscriptionChangeSerializer(serializers.Serializer[Any]):
    plan = serializers.ChoiceField(choices=PLAN_CHOICES)
    # ISO 3166-1 alpha-2; sets the tax country before the first invoice.
    country = serializers.RegexField(r"^[A-Z]{2}$", required=False)
    # true: only answer what the change would cost, change nothing.
    preview = serializers.BooleanField(default=False)


class CancelSerializer(serializers.Serializer[Any]):
    at_period_end = serializers.BooleanField(default=True)


class PaymentMethodAttachSerializer(serializers.Serializer[Any]):
    payment_method = serializers.RegexField(r"^pm_[A-Za-z0-9_]{1,250}$")


class StripeEventDataSerializer(serializers.Serializer[Any]):
    object = serializers.DictField()


class StripeEventSerializer(serializers.Serializer[Any]):
    """What the webhook needs of a (signed) Stripe event before storing it: an id, a type and an object."""

    id = serializers.CharField(max_length=255)
    type = serializers.CharField(max_length=100)

    def get_fields(self) -> dict[str, serializers.Field[Any, Any, Any, Any]]:
        fields = super().get_fields()
        fields["data"] = StripeEventDataSerializer()  # as a class attribute it would hide Serializer.data
        return fields


def subscription_body(tenant: Tenant, profile: BillingProfile | None) -> dict[str, Any]:
    return {
        "tenant": tenant.slug,
        "plan": tenant.plan,
        "state": tenant.state,
        "country": profile.country if profile else "",
        "subscription": {
            "id": profile.subscription_id,
            "status": profile.subscription_status,
            "current_period_end": profile.current_period_end.isoformat() if profile.current_period_end else None,
            "cancel_at_period_end": profile.cancel_at_period_end,
        }
        if profile and profile.subscription_id
        else None,
        "dunning": {
            "payment_failed_at": profile.payment_failed_at.isoformat(),
            "grace_ends_at": profile.grace_ends_at.isoformat() if profile.grace_ends_at else None,
            "suspended": profile.suspended_for_nonpayment,
        }
        if profile and profile.payment_failed_at
        else None,
    }


class InvoiceSerializer(serializers.ModelSerializer[Invoice]):
    class Meta:
        model = Invoice
        fields = [
            "number", "status", "issued_at", "paid_at", "period_start", "period_end", "currency",
            "subtotal", "tax_name", "tax_country", "tax_percentage", "tax_amount", "total", "lines",
        ]  # fmt: skip
