"""The events the catalog emits (types registered in tenantry_kernel.events.registry), one payload builder each."""

from __future__ import annotations

from typing import Any

from tenant_app.catalog.models import Product
from tenant_app.catalog.money import money

PRODUCT_CREATED = "catalog.product.created"
PRODUCT_UPDATED = "catalog.product.updated"
PRODUCT_PUBLISHED = "catalog.product.published"
PRODUCT_UNPUBLISHED = "catalog.product.unpublished"


def subject_of(product: Product) -> str:
    """The CloudEvents subject: consumers order a product's events by it."""
    return f"product/{product.pk}"


def _product(product: Product) -> dict[str, Any]:
    return {
        "product_id": str(product.pk),
        "name": product.name,
        "description": product.description,
        "price": money(product.price_amount, product.price_currency),
        "published": product.published,
    }


def product_created(product: Product) -> dict[str, Any]:
    return _product(product)


def product_updated(product: Product) -> dict[str, Any]:
    return _product(product)


def product_published(product: Product) -> dict[str, Any]:
    assert product.published_at is not None  # a published product has its date (a table constraint)
    return {**_product(product), "published_at": product.published_at.isoformat()}


def product_unpublished(product: Product) -> dict[str, Any]:
    return {"product_id": str(product.pk)}


# Any change of the catalog a shopper could see (variants, prices, stock, categories, collections, attributes,
# translations, the store's languages and currencies, products): the storefront cache drops superseded pages.
CATALOG_CHANGED = "catalog.changed"
CHANGE_KINDS = (
    "product",
    "variant",
    "price",
    "stock",
    "category",
    "collection",
    "attribute",
    "attribute_value",
    "translation",
    "store_settings",
)


def catalog_changed(kind: str, object_id: int, change: str, version: int, product_id: int | None) -> dict[str, Any]:
    data: dict[str, Any] = {"kind": kind, "id": str(object_id), "change": change, "version": version}
    if product_id is not None:
        data["product_id"] = str(product_id)
    return data
