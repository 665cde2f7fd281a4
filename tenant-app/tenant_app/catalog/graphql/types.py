from __future__ import annotations

from decimal import Decimal
from typing import Any

import strawberry
import strawberry_django
from django.db.models import Q, QuerySet
from strawberry import Info, auto, relay

from tenant_app.access.graphql.permissions import scoped
from tenant_app.catalog.models import Product


@strawberry.type(name="Money", description="An amount of one currency (ISO 4217 code); never a float.")
class MoneyType:
    amount: Decimal
    currency: str


@strawberry.input(name="MoneyInput")
class MoneyInput:
    amount: Decimal
    currency: str = strawberry.field(description="An ISO 4217 code in capitals, e.g. EUR.")


def _price(root: strawberry.Parent[Product]) -> MoneyType:
    return MoneyType(amount=root.price_amount, currency=root.price_currency)


@strawberry_django.type(Product, name="Product")
class ProductType(relay.Node):
    name: auto
    description: auto
    published: auto
    published_at: auto
    location: auto
    created_at: auto
    updated_at: auto

    price: MoneyType = strawberry_django.field(resolver=_price, only=["price_amount", "price_currency"])

    @classmethod
    def get_queryset(cls, queryset: QuerySet[Product], info: Info[Any, Any], **kwargs: Any) -> QuerySet[Product]:
        # Every way to products shows only what the viewer may see (customers: the published ones).
        return scoped(info, "products.view", queryset)


@strawberry_django.filter_type(Product, name="ProductFilter")
class ProductFilter:
    published: auto

    @strawberry_django.filter_field
    def currency(self, value: str, prefix: str) -> Q:
        """Products priced in this currency."""
        return Q(**{f"{prefix}price_currency": value})

    @strawberry_django.filter_field
    def name_contains(self, value: str, prefix: str) -> Q:
        """Names containing this text, case-insensitively."""
        return Q(**{f"{prefix}name__icontains": value})
