"""What the billing API reads and answers; the examples are what the OpenAPI schema shows."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone
from drf_spectacular.utils import extend_schema_field, extend_schema_serializer
from rest_framework import serializers

from control_plane.billing.models import BillingProfile, Invoice
from control_plane.billing.plans import ORDER
from control_plane.tenants.models import Plan, Tenant
from tenantry_kernel.web.openapi import request_example as _request
from tenantry_kernel.web.openapi import response_example as _response

PLAN_CHOICES = [(plan.value, Plan(plan.value).label) for plan in ORDER]


@extend_schema_serializer(
    examples=[
        _request("Move to Growth", {"plan": "growth"}),
        _request("Price it first", {"plan": "growth", "country": "DE", "preview": True}),
    ]
)
class SubscriptionChangeSerializer(serializers.Serializer[Any]):
    plan = serializers.ChoiceField(choices=PLAN_CHOICES)
    # ISO 3166-1 alpha-2; sets the tax country before the first invoice.
    country = serializers.RegexField(r"^[A-Z]{2}$", required=False)
    # true: only answer what the change would cost, change nothing.
    preview = serializers.BooleanField(default=False)


@extend_schema_serializer(
    examples=[_request("At the end of the period", {"at_period_end": True}), _request("Now", {"at_period_end": False})]
)
class CancelSerializer(serializers.Serializer[Any]):
    at_period_end = serializers.BooleanField(default=True)


@extend_schema_serializer(examples=[_request("A card from Stripe", {"payment_method": "pm_1PqrStUvWxYz0123"})])
class PaymentMethodAttachSerializer(serializers.Serializer[Any]):
    payment_method = serializers.RegexField(r"^pm_[A-Za-z0-9_]{1,250}$")


@extend_schema_serializer(
    examples=[
        _response(
            "A card to confirm",
            {"client_secret": "seti_1PqA_secret_Zx9", "publishable_key": "pk_test_51PqAbCdEf"},
        )
    ]
)
class CardSetupSerializer(serializers.Serializer[Any]):
    """What Stripe.js needs to save a card: the SetupIntent's client secret and the platform's publishable key."""

    client_secret = serializers.CharField()
    publishable_key = serializers.CharField()


class StripeEventDataSerializer(serializers.Serializer[Any]):
    object = serializers.DictField()


@extend_schema_serializer(
    examples=[
        _request(
            "An invoice paid",
            {"id": "evt_1Pq9", "type": "invoice.paid", "data": {"object": {"id": "in_1Pq9", "object": "invoice"}}},
        )
    ]
)
class StripeEventSerializer(serializers.Serializer[Any]):
    """What the webhook needs of a (signed) Stripe event before storing it: an id, a type and an object."""

    id = serializers.CharField(max_length=255)
    type = serializers.CharField(max_length=100)

    def get_fields(self) -> dict[str, serializers.Field[Any, Any, Any, Any]]:
        fields = super().get_fields()
        fields["data"] = StripeEventDataSerializer()  # as a class attribute it would hide Serializer.data
        return fields


@extend_schema_serializer(
    examples=[_response("Stored and handled", {"id": "evt_1Pq9", "type": "invoice.paid", "processed": True})]
)
class WebhookReceiptSerializer(serializers.Serializer[Any]):
    """The event as stored; `processed` once it was handled (an event seen before is not handled twice)."""

    id = serializers.CharField()
    type = serializers.CharField()
    processed = serializers.BooleanField()


class PriceSerializer(serializers.Serializer[Any]):
    amount = serializers.DecimalField(max_digits=10, decimal_places=2, coerce_to_string=True)
    currency = serializers.CharField()
    interval = serializers.ChoiceField(choices=["month"])


class LimitsSerializer(serializers.Serializer[Any]):
    max_products = serializers.IntegerField(allow_null=True)
    max_members = serializers.IntegerField(allow_null=True)
    api_requests_per_minute = serializers.IntegerField()


class ResourcesSerializer(serializers.Serializer[Any]):
    replicas_max = serializers.IntegerField()
    storage = serializers.CharField()
    db_connection_limit = serializers.IntegerField()


STARTER_EXAMPLE = {
    "name": "starter",
    "title": "Starter",
    "price": {"amount": "29.00", "currency": "EUR", "interval": "month"},
    "features": ["storefront", "catalog", "orders", "invoices_pdf", "custom_domain", "email_support"],
    "limits": {"max_products": 1000, "max_members": 5, "api_requests_per_minute": 300},
    "resources": {"replicas_max": 3, "storage": "5Gi", "db_connection_limit": 15},
}


class PlanSerializer(serializers.Serializer[Any]):
    """A plan as the pricing page shows it (the offers of control_plane.billing.plans)."""

    name = serializers.ChoiceField(choices=PLAN_CHOICES)
    title = serializers.CharField()
    price = PriceSerializer()
    features = serializers.ListField(child=serializers.CharField())
    limits = LimitsSerializer()
    resources = ResourcesSerializer()


@extend_schema_serializer(
    component_name="PlanList",
    examples=[_response("The plans", {"next": None, "previous": None, "results": [STARTER_EXAMPLE]})],
)
class PlanListSerializer(serializers.Serializer[Any]):
    """Every plan, cheapest first: a short, fixed list, shaped as a list's page (the only one: no links)."""

    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = PlanSerializer(many=True)


class SubscriptionStateSerializer(serializers.Serializer[Any]):
    id = serializers.CharField()
    status = serializers.CharField(help_text="Stripe's: active, past_due, canceled, …")
    current_period_end = serializers.DateTimeField(allow_null=True)
    cancel_at_period_end = serializers.BooleanField()


class DunningSerializer(serializers.Serializer[Any]):
    """A payment failed: the tenant keeps working until `grace_ends_at`, then it is suspended."""

    payment_failed_at = serializers.DateTimeField()
    grace_ends_at = serializers.DateTimeField(allow_null=True)
    suspended = serializers.BooleanField()


SUBSCRIPTION_EXAMPLE = {
    "tenant": "acme",
    "plan": "starter",
    "state": "ready",
    "country": "DE",
    "subscription": {
        "id": "sub_1PqA",
        "status": "active",
        "current_period_end": "2026-04-02T09:14:05+00:00",
        "cancel_at_period_end": False,
    },
    "dunning": None,
}


@extend_schema_serializer(examples=[_response("On Starter", SUBSCRIPTION_EXAMPLE)])
class SubscriptionSerializer(serializers.Serializer[Any]):
    """The tenant's plan and, on a paid plan, its Stripe subscription and any dunning under way."""

    tenant = serializers.SlugField()
    plan = serializers.ChoiceField(choices=PLAN_CHOICES)
    state = serializers.CharField()
    country = serializers.CharField(help_text="The tax country (ISO 3166-1 alpha-2), or empty.")
    subscription = SubscriptionStateSerializer(allow_null=True)
    dunning = DunningSerializer(allow_null=True)


class PreviewLineSerializer(serializers.Serializer[Any]):
    description = serializers.CharField()
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, coerce_to_string=True)


class PlanChangePreviewSerializer(serializers.Serializer[Any]):
    """What the change would cost now (prorated on a paid subscription); nothing is changed."""

    plan = serializers.ChoiceField(choices=PLAN_CHOICES)
    currency = serializers.CharField()
    amount_due = serializers.DecimalField(max_digits=14, decimal_places=2, coerce_to_string=True)
    lines = PreviewLineSerializer(many=True)


PREVIEW_EXAMPLE = {
    "plan": "growth",
    "currency": "EUR",
    "amount_due": "82.11",
    "lines": [{"description": "Tenantry Growth (1 month)", "amount": "69.00"}],
}


@extend_schema_serializer(
    examples=[
        _response(
            "The default card",
            {"id": "pm_1PqrStUvWxYz0123", "type": "card", "brand": "visa", "last4": "4242", "exp_month": 12,
             "exp_year": 2030, "default": True},
        )
    ]
)  # fmt: skip
class PaymentMethodSerializer(serializers.Serializer[Any]):
    """A payment method (dj-stripe's PaymentMethod); `default` is the one Stripe charges (context `default_id`)."""

    id = serializers.CharField()
    type = serializers.CharField()
    brand = serializers.CharField(source="stripe_data.card.brand", default="")
    last4 = serializers.CharField(source="stripe_data.card.last4", default="")
    exp_month = serializers.IntegerField(source="stripe_data.card.exp_month", default=None, allow_null=True)
    exp_year = serializers.IntegerField(source="stripe_data.card.exp_year", default=None, allow_null=True)
    default = serializers.SerializerMethodField(method_name="is_default")

    @extend_schema_field(serializers.BooleanField())
    def is_default(self, method: Any) -> bool:
        return bool(method.id == self.context.get("default_id"))


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


@extend_schema_serializer(
    examples=[
        _response(
            "A paid invoice",
            {
                "number": "TY-2026-000042", "status": "paid", "issued_at": "2026-03-02T09:14:05Z",
                "paid_at": "2026-03-02T09:14:07Z", "period_start": "2026-03-02T09:14:05Z",
                "period_end": "2026-04-02T09:14:05Z", "currency": "EUR", "subtotal": "29.00", "tax_name": "VAT",
                "tax_country": "DE", "tax_percentage": "19.000", "tax_amount": "5.51", "total": "34.51",
                "lines": [{"description": "Tenantry Starter (1 month)", "amount": "29.00"}],
            },
        )
    ]
)  # fmt: skip
class InvoiceSerializer(serializers.ModelSerializer[Invoice]):
    class Meta:
        model = Invoice
        fields = [
            "number", "status", "issued_at", "paid_at", "period_start", "period_end", "currency",
            "subtotal", "tax_name", "tax_country", "tax_percentage", "tax_amount", "total", "lines",
        ]  # fmt: skip


class UsageQuerySerializer(serializers.Serializer[Any]):
    """The days of a usage series: `from` and `to` (ISO dates, UTC, both included), at most a year apart."""

    MAX_DAYS = 366

    def get_fields(self) -> dict[str, serializers.Field[Any, Any, Any, Any]]:
        fields = super().get_fields()
        # `from` is a Python keyword: declared here rather than as class attributes.
        fields["from"] = serializers.DateField(required=False)
        fields["to"] = serializers.DateField(required=False)
        return fields

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        today = timezone.now().date()
        end = attrs.get("to") or today
        start = attrs.get("from") or end - timedelta(days=29)
        if start > end:
            raise serializers.ValidationError({"from": "`from` must not be after `to`."})
        if (end - start).days + 1 > self.MAX_DAYS:
            raise serializers.ValidationError({"from": f"At most {self.MAX_DAYS} days at a time; move `from` closer."})
        return {"from": start, "to": end}


class UsageDaySerializer(serializers.Serializer[Any]):
    date = serializers.DateField()
    usage = serializers.DictField(child=serializers.IntegerField(), help_text="Quantity per metric that day.")
    charged = serializers.DictField(
        child=serializers.DecimalField(max_digits=14, decimal_places=2, coerce_to_string=True),
        help_text="Charged per currency that day.",
    )
    paid = serializers.DictField(
        child=serializers.DecimalField(max_digits=14, decimal_places=2, coerce_to_string=True),
        help_text="Paid or credited per currency that day.",
    )


USAGE_EXAMPLE = {
    "from": "2026-03-01",
    "to": "2026-03-02",
    "metrics": ["api_requests", "orders"],
    "currencies": ["EUR"],
    "days": [
        {"date": "2026-03-01", "usage": {"api_requests": 1200, "orders": 3}, "charged": {"EUR": "0.00"},
         "paid": {"EUR": "0.00"}},
        {"date": "2026-03-02", "usage": {"api_requests": 950, "orders": 5}, "charged": {"EUR": "34.51"},
         "paid": {"EUR": "34.51"}},
    ],
}  # fmt: skip


@extend_schema_serializer(component_name="UsageSeries", examples=[_response("Two days", USAGE_EXAMPLE)])
class UsageSeriesSerializer(serializers.Serializer[Any]):
    """A store's metered usage and spend per day (UTC) from the billing ledger, every day of the range present."""

    metrics = serializers.ListField(child=serializers.CharField(), help_text="The metrics seen in the range.")
    currencies = serializers.ListField(child=serializers.CharField(), help_text="The currencies seen in the range.")
    days = UsageDaySerializer(many=True)

    def get_fields(self) -> dict[str, serializers.Field[Any, Any, Any, Any]]:
        fields = super().get_fields()
        fields["from"] = serializers.DateField()
        fields["to"] = serializers.DateField()
        return fields
