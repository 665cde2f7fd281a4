"""The shapes of products in the REST API (GraphQL validates its input with the same serializers)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers
from rest_framework.exceptions import ErrorDetail

from tenant_app.catalog.models import Category, Product
from tenant_app.catalog.money import is_currency
from tenantry_kernel.web.openapi import request_example, response_example

# The examples of the OpenAPI schema (tenantry_kernel.web.openapi).
PRODUCT = {
    "id": 17,
    "name": "Espresso beans 1 kg",
    "slug": "espresso-beans-1-kg",
    "category": "coffee",
    "description": "Dark roast.",
    "price": {"amount": "24.90", "currency": "EUR"},
    "published": True,
    "published_at": "2026-03-03T10:00:00Z",
    "location": "Aisle 4",
    "created_at": "2026-03-02T09:20:00Z",
    "updated_at": "2026-03-03T10:00:00Z",
}


class CurrencyField(serializers.CharField):
    """An ISO 4217 code in capitals."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(min_length=3, max_length=3, **kwargs)

    def to_internal_value(self, data: Any) -> str:
        code = super().to_internal_value(data)
        if not is_currency(code):
            message = f"{code!r} is not an ISO 4217 currency code; use three capital letters such as EUR or USD."
            raise serializers.ValidationError(ErrorDetail(message, "invalid_currency"))
        return code


class MoneySerializer(serializers.Serializer[Any]):
    """An amount of one currency: {"amount": "12.50", "currency": "EUR"} (the amount as a decimal string)."""

    amount = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=Decimal(0))
    currency = CurrencyField()


class PriceSerializer(serializers.Serializer[Any]):
    """A product's price as the money object, read from its two columns."""

    amount = serializers.DecimalField(max_digits=12, decimal_places=2, source="price_amount", read_only=True)
    currency = serializers.CharField(source="price_currency", read_only=True)


@extend_schema_serializer(examples=[response_example("Beans", PRODUCT)])
class ProductSerializer(serializers.ModelSerializer[Product]):
    price = PriceSerializer(source="*", read_only=True)
    category: serializers.SlugRelatedField[Category] = serializers.SlugRelatedField(
        slug_field="slug", read_only=True, allow_null=True
    )

    class Meta:
        model = Product
        fields = [
            "id",
            "name",
            "slug",
            "category",
            "description",
            "price",
            "published",
            "published_at",
            "location",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


@extend_schema_serializer(
    examples=[
        request_example(
            "Beans",
            {
                "name": "Espresso beans 1 kg",
                "description": "Dark roast.",
                "price": {"amount": "24.90", "currency": "EUR"},
                "location": "Aisle 4",
            },
        ),
        request_example("A new price (PATCH)", {"price": {"amount": "22.50", "currency": "EUR"}}),
    ]
)
class ProductWriteSerializer(serializers.Serializer[Any]):
    """A product as sent: all of it on create, the fields to change on PATCH (publishing has its own calls)."""

    name = serializers.CharField(max_length=200)
    description = serializers.CharField(max_length=20000, allow_blank=True, default="")
    price = MoneySerializer()
    location = serializers.CharField(max_length=100, allow_blank=True, default="")
    slug = serializers.SlugField(max_length=220, required=False, help_text="The storefront's address; from the name.")
    category: serializers.SlugRelatedField[Category] = serializers.SlugRelatedField(
        slug_field="slug", queryset=Category.objects.all(), allow_null=True, required=False, help_text="Its slug."
    )

    def action_arguments(self) -> dict[str, Any]:
        """The validated fields as the catalog actions take them (the price as its two columns)."""
        data = dict(self.validated_data)
        if (price := data.pop("price", None)) is not None:
            data["price_amount"], data["price_currency"] = price["amount"], price["currency"]
        return data
