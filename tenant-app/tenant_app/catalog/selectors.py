"""Reads of the catalog that several APIs and apps share."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import QuerySet

from tenant_app.access.policy import Context, scope
from tenant_app.catalog.models import Product


def visible_products(user: Any, context: Context | None = None) -> QuerySet[Product]:
    """The products `user` may see (customers: the published ones, by the seeded policy), oldest first."""
    return scope(user, "products.view", Product.objects.order_by("id"), context)


def for_sale(product_ids: Iterable[int]) -> dict[int, Product]:
    """The published products among `product_ids`, by id: what an order may contain, at today's price."""
    return {product.pk: product for product in Product.objects.filter(pk__in=list(product_ids), published=True)}
