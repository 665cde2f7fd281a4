"""The shapes of carts and checkout in the REST API (GraphQL validates its input with the same serializers)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from drf_spectacular.utils import extend_schema_field, extend_schema_serializer
from rest_framework import serializers

from tenant_app.checkout import selectors
from tenant_app.checkout.models import Cart, CartLine, Reservation
from tenant_app.orders.api.serializers import MoneyReadSerializer
from tenantry_kernel.money import quantum
from tenantry_kernel.web.openapi import request_example, response_example

MAX_TEXT = 200

CART = {
    "id": "0b7e3c1a-5d2f-4c8e-9a61-3f0d2b9c7e14",
    "status": "open",
    "currency": "EUR",
    "language": "en",
    "email": "ada@example.com",
    "shipping_address": {
        "country": "DE",
        "city": "BERLIN",
        "postal_code": "10117",
        "street_address_1": "Unter den Linden 1",
        "name": "Ada Lovelace",
    },
    "billing_address": {},
    "shipping_method": 3,
    "voucher": "WELCOME10",
    "lines": [
        {
            "id": 41,
            "variant": 7,
            "sku": "BEANS-1KG",
            "name": "Espresso beans 1 kg",
            "quantity": 2,
            "unit_price": {"amount": "24.90", "currency": "EUR"},
            "rate": None,
            "discount": {"amount": "4.98", "currency": "EUR"},
            "tax": {"amount": "7.16", "currency": "EUR"},
            "total": {"amount": "44.82", "currency": "EUR"},
            "reserved_until": "2026-03-04T08:45:00Z",
        }
    ],
    "totals": {
        "subtotal": {"amount": "49.80", "currency": "EUR"},
        "discount": {"amount": "4.98", "currency": "EUR"},
        "shipping": {"amount": "4.90", "currency": "EUR"},
        "tax": {"amount": "7.94", "currency": "EUR"},
        "total": {"amount": "49.72", "currency": "EUR"},
        "prices_include_tax": True,
    },
    "order_id": None,
    "updated_at": "2026-03-04T08:30:00Z",
}


def money(amount: Decimal, currency: str) -> dict[str, str]:
    """{"amount": "12.50", "currency": "EUR"}, with the currency's own number of decimals (JPY none, KWD 3)."""
    return {"amount": format(amount.quantize(quantum(currency)), "f"), "currency": currency}


class TotalsSerializer(serializers.Serializer[Any]):
    subtotal = MoneyReadSerializer()
    discount = MoneyReadSerializer()
    shipping = MoneyReadSerializer()
    tax = MoneyReadSerializer()
    total = MoneyReadSerializer(help_text="What the order will cost.")
    prices_include_tax = serializers.BooleanField()


class CartLineSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    variant = serializers.IntegerField()
    sku = serializers.CharField()
    name = serializers.CharField()
    quantity = serializers.IntegerField()
    unit_price = MoneyReadSerializer(help_text="The price when added (completion re-checks it).")
    rate = serializers.CharField(allow_null=True, help_text="The exchange rate that gave the price; null if none.")
    discount = MoneyReadSerializer()
    tax = MoneyReadSerializer()
    total = MoneyReadSerializer()
    reserved_until = serializers.DateTimeField(allow_null=True, help_text="Stock is held for the line until then.")


@extend_schema_serializer(examples=[response_example("A cart", CART)])
class CartSerializer(serializers.Serializer[Cart]):
    id = serializers.UUIDField()
    status = serializers.CharField()
    currency = serializers.CharField()
    language = serializers.CharField()
    email = serializers.CharField()
    shipping_address = serializers.DictField()
    billing_address = serializers.DictField()
    shipping_method = serializers.IntegerField(source="shipping_method_id", allow_null=True)
    voucher = serializers.SerializerMethodField()
    lines = serializers.SerializerMethodField()
    totals = serializers.SerializerMethodField()
    order_id = serializers.UUIDField(allow_null=True)
    updated_at = serializers.DateTimeField()

    def get_voucher(self, cart: Cart) -> str | None:
        return cart.voucher.code if cart.voucher is not None else None

    @extend_schema_field(CartLineSerializer(many=True))
    def get_lines(self, cart: Cart) -> list[dict[str, Any]]:
        lines, totals = self._priced(cart)
        by_key = {line.key: line for line in totals.lines}
        held: dict[int, Any] = {}
        for line_id, expires_at in Reservation.objects.filter(line__cart=cart).values_list("line_id", "expires_at"):
            held[line_id] = min(expires_at, held.get(line_id, expires_at))
        currency = cart.currency
        return [
            {
                "id": line.pk,
                "variant": line.variant_id,
                "sku": line.variant.sku,
                "name": line.variant.name or line.variant.product.name,
                "quantity": line.quantity,
                "unit_price": money(line.unit_price, currency),
                "rate": None if line.rate is None else format(line.rate, "f"),
                "discount": money(by_key[str(line.pk)].discount, currency),
                "tax": money(by_key[str(line.pk)].tax, currency),
                "total": money(by_key[str(line.pk)].gross, currency),
                "reserved_until": held.get(line.pk),
            }
            for line in lines
        ]

    @extend_schema_field(TotalsSerializer)
    def get_totals(self, cart: Cart) -> dict[str, Any]:
        _, totals = self._priced(cart)
        currency = cart.currency
        return {
            "subtotal": money(totals.subtotal, currency),
            "discount": money(totals.discount, currency),
            "shipping": money(totals.shipping_gross, currency),
            "tax": money(totals.tax, currency),
            "total": money(totals.gross, currency),
            "prices_include_tax": totals.prices_include_tax,
        }

    def _priced(self, cart: Cart) -> tuple[list[CartLine], Any]:
        cached = self.context.setdefault("priced", {})
        if cart.pk not in cached:
            lines = selectors.lines_of(cart)
            cached[cart.pk] = (lines, selectors.totals_of(cart, lines))
        found: tuple[list[CartLine], Any] = cached[cart.pk]
        return found


@extend_schema_serializer(examples=[response_example("A new guest cart", {**CART, "token": "q3V…8sA"})])
class NewCartSerializer(CartSerializer):
    token = serializers.CharField(
        allow_null=True,
        help_text="A guest's cart token, shown this once: send it as the Cart-Token header. Null when signed in.",
    )


@extend_schema_serializer(examples=[request_example("Euros, in English", {"currency": "EUR", "language": "en"})])
class CreateCartSerializer(serializers.Serializer[Any]):
    currency = serializers.CharField(max_length=3, required=False, default="", allow_blank=True)
    language = serializers.CharField(max_length=10, required=False, default="", allow_blank=True)


@extend_schema_serializer(examples=[request_example("Two of a variant", {"variant": 7, "quantity": 2})])
class AddLineSerializer(serializers.Serializer[Any]):
    variant = serializers.IntegerField(min_value=1)
    quantity = serializers.IntegerField(min_value=1, max_value=1_000_000)


@extend_schema_serializer(examples=[request_example("Three instead", {"quantity": 3})])
class ChangeLineSerializer(serializers.Serializer[Any]):
    quantity = serializers.IntegerField(min_value=0, max_value=1_000_000, help_text="0 removes the line.")


class AddressField(serializers.DictField):
    """An address as fields (country, postal_code, city, street_address_1, name …), checked per country."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(child=serializers.CharField(max_length=MAX_TEXT, allow_blank=True), **kwargs)


@extend_schema_serializer(
    examples=[
        request_example(
            "Where and how",
            {
                "email": "ada@example.com",
                "shipping_address": CART["shipping_address"],
                "billing_address": CART["shipping_address"],
                "shipping_method": 3,
                "voucher": "WELCOME10",
            },
        )
    ]
)
class CartDetailsSerializer(serializers.Serializer[Any]):
    email = serializers.EmailField(required=False)
    shipping_address = AddressField(required=False, allow_empty=True)
    billing_address = AddressField(required=False, allow_empty=True)
    shipping_method = serializers.IntegerField(required=False, allow_null=True, min_value=1)
    voucher = serializers.CharField(required=False, allow_blank=True, max_length=40)


@extend_schema_serializer(examples=[request_example("Complete", {})])
class CompleteSerializer(serializers.Serializer[Any]):
    """Completion takes what the cart holds; the body may be empty (it is part of the idempotency check)."""


@extend_schema_serializer(examples=[request_example("My guest cart", {"cart": CART["id"], "token": "q3V…8sA"})])
class MergeSerializer(serializers.Serializer[Any]):
    cart = serializers.UUIDField(help_text="The guest cart's id.")
    token = serializers.CharField(max_length=MAX_TEXT, help_text="The guest cart's token.")


SHIPPING_METHOD = {"id": 3, "name": "Parcel", "price": {"amount": "4.90", "currency": "EUR"}}


@extend_schema_serializer(examples=[response_example("Parcel", SHIPPING_METHOD)])
class ShippingMethodSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    name = serializers.CharField()
    price = MoneyReadSerializer()
