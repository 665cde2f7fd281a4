"""The shapes of payments and gateway connections in the REST API (secrets are write-only, never answered)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from drf_spectacular.utils import extend_schema_field, extend_schema_serializer
from rest_framework import serializers
from rest_framework.exceptions import ErrorDetail

from tenant_app.catalog.api.serializers import CurrencyField
from tenant_app.catalog.money import money
from tenant_app.orders.api.serializers import MoneyReadSerializer
from tenant_app.payments.models import GatewayAccount, GatewayName, Payment
from tenantry_kernel.money import MoneyError, exponent, is_rounded
from tenantry_kernel.web.openapi import request_example, response_example

PAYMENT = {
    "id": "8d7e6f5a-4b3c-4d2e-9f1a-0b1c2d3e4f5a",
    "order": "3f1c2a9e-6b7d-4e8f-9a0b-1c2d3e4f5a6b",
    "gateway": "stripe",
    "reference": "pi_3Pq9",
    "status": "requires_action",
    "amount": {"amount": "49.80", "currency": "EUR"},
    "captured": {"amount": "0.00", "currency": "EUR"},
    "refunded": {"amount": "0.00", "currency": "EUR"},
    "manual_capture": False,
    "next_action": {"type": "stripe_js", "client_secret": "pi_3Pq9_secret_abc"},
    "failure": "",
    "created_at": "2026-03-04T08:30:00Z",
    "updated_at": "2026-03-04T08:30:05Z",
}
CONNECTION = {
    "gateway": "razorpay",
    "connected": True,
    "public_id": "rzp_test_1DP5mmOlF5G5ag",
    "secret_last4": "x9Qz",
    "webhook_secret_set": True,
    "connected_at": "2026-03-04T08:00:00Z",
}


@extend_schema_serializer(examples=[response_example("Waiting for 3-D Secure", PAYMENT)])
class PaymentSerializer(serializers.ModelSerializer[Payment]):
    order = serializers.UUIDField(source="order_id", read_only=True)
    amount = serializers.SerializerMethodField()
    captured = serializers.SerializerMethodField()
    refunded = serializers.SerializerMethodField()
    next_action = serializers.DictField(
        read_only=True,
        help_text="What the buyer does next while pending or requires_action: `stripe_js` (confirm with the "
        "client secret), `redirect` (to `url`), `razorpay_checkout` (open Checkout with `order_id`, `key_id`).",
    )

    class Meta:
        model = Payment
        fields = [
            "id",
            "order",
            "gateway",
            "reference",
            "status",
            "amount",
            "captured",
            "refunded",
            "manual_capture",
            "next_action",
            "failure",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(MoneyReadSerializer)
    def get_amount(self, payment: Payment) -> dict[str, Any]:
        return money(Decimal(payment.amount), payment.currency)

    @extend_schema_field(MoneyReadSerializer)
    def get_captured(self, payment: Payment) -> dict[str, Any]:
        return money(Decimal(payment.captured), payment.currency)

    @extend_schema_field(MoneyReadSerializer)
    def get_refunded(self, payment: Payment) -> dict[str, Any]:
        return money(Decimal(payment.refunded), payment.currency)


@extend_schema_serializer(
    examples=[request_example("Pay with Stripe", {"order": PAYMENT["order"], "gateway": "stripe"})]
)
class StartPaymentSerializer(serializers.Serializer[Any]):
    order = serializers.UUIDField(help_text="The id of a placed order you may see.")
    gateway = serializers.ChoiceField(choices=GatewayName.choices)
    manual_capture = serializers.BooleanField(
        default=False, help_text="Authorize only; the store captures later (`capture`)."
    )


@extend_schema_serializer(
    examples=[
        request_example("Stripe", {"payment_method": "pm_1Pq9"}),
        request_example(
            "Razorpay Checkout's handler response",
            {"razorpay_payment_id": "pay_29QQoUBi66xm2f", "razorpay_signature": "9ef4dffbfd84f1318f6739a3ce19f9d8"},
        ),
        request_example("PayPal, after the buyer approved", {}),
    ]
)
class ConfirmPaymentSerializer(serializers.Serializer[Any]):
    payment_method = serializers.CharField(max_length=200, required=False, help_text="Stripe: the buyer's pm_…")
    razorpay_payment_id = serializers.CharField(max_length=200, required=False)
    razorpay_signature = serializers.CharField(max_length=200, required=False)


class PaymentMoneySerializer(serializers.Serializer[Any]):
    """An amount with at most its currency's ISO 4217 decimals: "10.00" EUR, "1200" JPY, "1.250" KWD."""

    amount = serializers.DecimalField(max_digits=15, decimal_places=3, min_value=Decimal(0))
    currency = CurrencyField()

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        amount, currency = attrs["amount"], attrs["currency"]
        try:
            places = exponent(currency)
        except MoneyError as exc:
            raise serializers.ValidationError({"currency": [ErrorDetail(str(exc), exc.code)]}) from exc
        if not is_rounded(amount, currency):
            message = f"{currency} has {places} decimals; {format(amount.normalize(), 'f')} {currency} has more."
            raise serializers.ValidationError({"amount": [ErrorDetail(message, "invalid_amount")]})
        return attrs


@extend_schema_serializer(examples=[request_example("Part of it", {"amount": {"amount": "10.00", "currency": "EUR"}})])
class RefundPaymentSerializer(serializers.Serializer[Any]):
    amount = PaymentMoneySerializer(
        help_text="At most what was captured and not yet refunded, in the payment's currency (its decimals)."
    )


@extend_schema_serializer(examples=[response_example("Razorpay, connected", CONNECTION)])
class ConnectionSerializer(serializers.Serializer[Any]):
    gateway = serializers.ChoiceField(choices=GatewayName.choices)
    connected = serializers.BooleanField()
    public_id = serializers.CharField(help_text="Stripe publishable key, PayPal client id or Razorpay key id.")
    secret_last4 = serializers.CharField(help_text="The last four characters of the secret, to tell keys apart.")
    webhook_secret_set = serializers.BooleanField()
    connected_at = serializers.DateTimeField(allow_null=True)


def connection_of(gateway: str, account: GatewayAccount | None) -> dict[str, Any]:
    if account is None:
        return {
            "gateway": gateway,
            "connected": False,
            "public_id": "",
            "secret_last4": "",
            "webhook_secret_set": False,
            "connected_at": None,
        }
    return {
        "gateway": gateway,
        "connected": True,
        "public_id": account.public_id,
        "secret_last4": account.secret_last4,
        "webhook_secret_set": bool(account.webhook_secret),
        "connected_at": account.connected_at,
    }


@extend_schema_serializer(
    examples=[
        request_example(
            "Razorpay",
            {"public_id": "rzp_test_1DP5mmOlF5G5ag", "secret": "…", "webhook_secret": "…"},
        )
    ]
)
class ConnectSerializer(serializers.Serializer[Any]):
    public_id = serializers.CharField(max_length=200)
    secret = serializers.CharField(max_length=500, write_only=True, min_length=8)
    webhook_secret = serializers.CharField(
        max_length=500,
        write_only=True,
        allow_blank=True,
        default="",
        help_text="Stripe's whsec_…, Razorpay's webhook secret, or PayPal's webhook id.",
    )


@extend_schema_serializer(examples=[response_example("Taken", {"result": "processed"})])
class WebhookResultSerializer(serializers.Serializer[Any]):
    result = serializers.ChoiceField(
        choices=["processed", "duplicate", "ignored"],
        help_text="duplicate: this event id was taken before; ignored: it is about no payment of this store.",
    )
