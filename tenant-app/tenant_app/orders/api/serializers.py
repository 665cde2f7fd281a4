"""The shapes of orders in the REST API: summaries from the projection, the history from the order's stream."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from tenant_app.catalog.api.serializers import MoneySerializer
from tenant_app.catalog.money import money
from tenant_app.orders.models import OrderSummary
from tenantry_kernel.events.store import RecordedEvent

MAX_LINES = 100
MAX_QUANTITY = 10000


class MoneyReadSerializer(serializers.Serializer[Any]):
    amount = serializers.CharField(help_text="A decimal amount, e.g. 12.50.")
    currency = serializers.CharField(help_text="An ISO 4217 code.")


class OrderLineSerializer(serializers.Serializer[Any]):
    product_id = serializers.CharField()
    quantity = serializers.IntegerField()
    unit_price = MoneyReadSerializer(help_text="The product's price when the order was placed.")


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
    type = serializers.CharField(help_text="order.placed, order.paid, order.refunded or order.cancelled.")
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


class PlaceOrderSerializer(serializers.Serializer[Any]):
    lines = serializers.ListField(child=LineInputSerializer(), allow_empty=False, min_length=1, max_length=MAX_LINES)


class _Versioned(serializers.Serializer[Any]):
    expected_version = serializers.IntegerField(
        min_value=1,
        required=False,
        help_text="The order's version you decided on (its `version`); if it has changed since: 409 stream_conflict.",
    )


class PaymentSerializer(_Versioned):
    amount = MoneySerializer(help_text="The order's total: payments are in full.")
    payment_reference = serializers.CharField(max_length=200, help_text="Where the payment was captured.")


class RefundSerializer(_Versioned):
    amount = MoneySerializer(help_text="At most what was paid and not yet refunded.")
    reason = serializers.CharField(max_length=500, allow_blank=True, default="")


class CancellationSerializer(_Versioned):
    reason = serializers.CharField(max_length=500, allow_blank=True, default="")
