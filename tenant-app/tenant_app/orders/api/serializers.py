"""The shapes of orders in the REST API: summaries from the projection, the history from the order's stream."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from drf_spectacular.utils import extend_schema_field, extend_schema_serializer
from rest_framework import serializers

from tenant_app.catalog.api.serializers import MoneySerializer
from tenant_app.catalog.money import money
from tenant_app.orders.models import OrderSummary
from tenantry_kernel.events.store import RecordedEvent
from tenantry_kernel.web.openapi import request_example, response_example

MAX_LINES = 100
MAX_QUANTITY = 10000

# The examples of the OpenAPI schema (tenantry_kernel.web.openapi).
ORDER = {
    "id": "3f1c2a9e-6b7d-4e8f-9a0b-1c2d3e4f5a6b",
    "customer": 12,
    "status": "paid",
    "total": {"amount": "49.80", "currency": "EUR"},
    "paid": {"amount": "49.80", "currency": "EUR"},
    "refunded": {"amount": "0.00", "currency": "EUR"},
    "lines": [{"product_id": "17", "quantity": 2, "unit_price": {"amount": "24.90", "currency": "EUR"}}],
    "placed_at": "2026-03-04T08:30:00Z",
    "updated_at": "2026-03-04T08:31:10Z",
    "version": 2,
}
HISTORY = [
    {
        "version": 1,
        "type": "order.placed",
        "data": {"lines": [{"product_id": "17", "quantity": 2}]},
        "occurred_at": "2026-03-04T08:30:00Z",
        "actor": 12,
    },
    {
        "version": 2,
        "type": "order.paid",
        "data": {"amount": "49.80", "currency": "EUR", "payment_reference": "pi_3Pq9"},
        "occurred_at": "2026-03-04T08:31:10Z",
        "actor": 12,
    },
]


class MoneyReadSerializer(serializers.Serializer[Any]):
    amount = serializers.CharField(help_text="A decimal amount, e.g. 12.50.")
    currency = serializers.CharField(help_text="An ISO 4217 code.")


class OrderLineSerializer(serializers.Serializer[Any]):
    product_id = serializers.CharField()
    quantity = serializers.IntegerField()
    unit_price = MoneyReadSerializer(help_text="The product's price when the order was placed.")


@extend_schema_serializer(examples=[response_example("Paid", ORDER)])
class OrderSerializer(serializers.ModelSerializer[OrderSummary]):
    customer = serializers.IntegerField(source="customer_id", read_only=True, help_text="The id of who placed it.")
    total = serializers.SerializerMethodField()
    paid = serializers.SerializerMethodField()
    refunded = serializers.SerializerMethodField()
    lines = OrderLineSerializer(many=True, read_only=True)

    class Meta:
        model = OrderSummary
        fields = [
            "id",
            "customer",
            "status",
            "total",
            "paid",
            "refunded",
            "lines",
            "placed_at",
            "updated_at",
            "version",
        ]
        read_only_fields = fields

    @extend_schema_field(MoneyReadSerializer)
    def get_total(self, order: OrderSummary) -> dict[str, Any]:
        return money(order.total, order.currency)

    @extend_schema_field(MoneyReadSerializer)
    def get_paid(self, order: OrderSummary) -> dict[str, Any]:
        return money(order.paid, order.currency)

    @extend_schema_field(MoneyReadSerializer)
    def get_refunded(self, order: OrderSummary) -> dict[str, Any]:
        return money(order.refunded, order.currency)


class OrderEventSerializer(serializers.Serializer[RecordedEvent]):
    """One step of the order's history, as its stream holds it."""

    version = serializers.IntegerField()
    type = serializers.CharField(
        help_text="order.placed, order.payment_authorized, order.payment_failed, order.paid, order.refunded or "
        "order.cancelled."
    )
    # The CloudEvents name; DRF takes declared fields off the class, so `Serializer.data` stays as it is.
    data = serializers.DictField(  # type: ignore[assignment]  # a field named like Serializer.data, on purpose
        help_text="The event's payload, as emitted (see the event catalogue)."
    )
    occurred_at = serializers.SerializerMethodField()
    actor = serializers.SerializerMethodField(help_text="The id of the user who did it.")

    def get_occurred_at(self, event: RecordedEvent) -> datetime:
        return datetime.fromisoformat(event.metadata["occurred_at"])

    def get_actor(self, event: RecordedEvent) -> int | None:
        actor: int | None = event.metadata.get("actor_id")
        return actor


@extend_schema_serializer(examples=[response_example("Paid, with its history", {**ORDER, "history": HISTORY})])
class OrderDetailSerializer(OrderSerializer):
    history = serializers.SerializerMethodField()

    class Meta(OrderSerializer.Meta):
        fields = [*OrderSerializer.Meta.fields, "history"]
        read_only_fields = fields

    @extend_schema_field(OrderEventSerializer(many=True))
    def get_history(self, order: OrderSummary) -> Any:
        return OrderEventSerializer(self.context["history"], many=True).data


class LineInputSerializer(serializers.Serializer[Any]):
    product = serializers.IntegerField(min_value=1, help_text="The id of a published product.")
    quantity = serializers.IntegerField(min_value=1, max_value=MAX_QUANTITY)


@extend_schema_serializer(examples=[request_example("Two bags", {"lines": [{"product": 17, "quantity": 2}]})])
class PlaceOrderSerializer(serializers.Serializer[Any]):
    lines = serializers.ListField(child=LineInputSerializer(), allow_empty=False, min_length=1, max_length=MAX_LINES)


class _Versioned(serializers.Serializer[Any]):
    expected_version = serializers.IntegerField(
        min_value=1,
        required=False,
        help_text="The order's version you decided on (its `version`); if it has changed since: 409 stream_conflict.",
    )


@extend_schema_serializer(
    examples=[
        request_example(
            "In full",
            {"amount": {"amount": "49.80", "currency": "EUR"}, "payment_reference": "pi_3Pq9", "expected_version": 1},
        )
    ]
)
class PaymentSerializer(_Versioned):
    amount = MoneySerializer(help_text="The order's total: payments are in full.")
    payment_reference = serializers.CharField(max_length=200, help_text="Where the payment was captured.")


@extend_schema_serializer(
    examples=[
        request_example(
            "One bag back",
            {"amount": {"amount": "24.90", "currency": "EUR"}, "reason": "Damaged in transit", "expected_version": 2},
        )
    ]
)
class RefundSerializer(_Versioned):
    amount = MoneySerializer(help_text="At most what was paid and not yet refunded.")
    reason = serializers.CharField(max_length=500, allow_blank=True, default="")


@extend_schema_serializer(examples=[request_example("Changed my mind", {"reason": "Changed my mind"})])
class CancellationSerializer(_Versioned):
    reason = serializers.CharField(max_length=500, allow_blank=True, default="")
