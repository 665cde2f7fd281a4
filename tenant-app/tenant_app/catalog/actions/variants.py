"""Variants of a product, their prices per currency and their stock per location.

Each action is one transaction: authorized against the product (so a location policy applies), its rows written
under the product's row lock, the catalog's version counted, `catalog.changed` emitted, audited. Stock actions set
`quantity` (on hand) only: reservations are checkout's, and a quantity below what is reserved is refused.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.http import HttpRequest
from rest_framework.exceptions import ErrorDetail, ValidationError

from tenant_app.access.policy import Context, require
from tenant_app.accounts.models import User
from tenant_app.audit.actions import record_security_event
from tenant_app.audit.models import AuditEventType
from tenant_app.catalog.actions.common import catalog_changed
from tenant_app.catalog.errors import CurrencyNotOffered
from tenant_app.catalog.models import AttributeValue, Product, ProductVariant, Stock, StoreSettings, VariantPrice
from tenant_app.catalog.pricing import offered_currencies
from tenantry_kernel import money

VARIANT_EDITABLE = frozenset({"sku", "name", "weight_grams"})


def _invalid(field: str, message: str, code: str) -> ValidationError:
    return ValidationError({field: [ErrorDetail(message, code)]})


def _locked_product(actor: User, product: Product, context: Context) -> Product:
    require(actor, "products.update", product, context)
    locked = Product.objects.select_for_update().get(pk=product.pk)
    require(actor, "products.update", locked, context)  # as it is now
    return locked


def _audit(request: HttpRequest | None, actor: User, product: Product, **details: Any) -> None:
    record_security_event(
        request, AuditEventType.CATALOG_CHANGED, actor=actor, subject=f"product/{product.pk}", **details
    )


def create_variant(
    request: HttpRequest | None,
    actor: User,
    product: Product,
    *,
    sku: str,
    name: str = "",
    weight_grams: int = 0,
    attribute_values: list[AttributeValue] | None = None,
) -> ProductVariant:
    """A new variant (SKU) of the product; a SKU taken by any variant of the store is refused (`sku_taken`)."""
    context = Context.of(request)
    with transaction.atomic():
        product = _locked_product(actor, product, context)
        try:
            with transaction.atomic():
                variant = ProductVariant.objects.create(product=product, sku=sku, name=name, weight_grams=weight_grams)
        except IntegrityError as exc:
            raise _invalid(
                "sku", f"SKU {sku!r} is taken by another variant; SKUs are unique in a store.", "sku_taken"
            ) from exc
        if attribute_values:
            variant.attribute_values.set(attribute_values)
        catalog_changed("variant", variant.pk, "created", product_id=product.pk)
        _audit(request, actor, product, variant=sku, change="variant_created")
    return variant


def update_variant(
    request: HttpRequest | None,
    actor: User,
    variant: ProductVariant,
    *,
    attribute_values: list[AttributeValue] | None = None,
    **changes: Any,
) -> ProductVariant:
    """Change a variant's SKU, name, weight or attribute values (given: replaces them); no change, no event."""
    if unknown := sorted(changes.keys() - VARIANT_EDITABLE):
        raise TypeError(f"variants have no editable fields {unknown}")
    context = Context.of(request)
    with transaction.atomic():
        _locked_product(actor, variant.product, context)
        variant = ProductVariant.objects.select_for_update().get(pk=variant.pk)
        changed = {key: value for key, value in changes.items() if getattr(variant, key) != value}
        values_before = sorted(variant.attribute_values.values_list("pk", flat=True))
        values_changed = attribute_values is not None and sorted(v.pk for v in attribute_values) != values_before
        if not changed and not values_changed:
            return variant
        for key, value in changed.items():
            setattr(variant, key, value)
        try:
            with transaction.atomic():
                variant.save(update_fields=[*changed, "updated_at"])
        except IntegrityError as exc:
            message = f"SKU {changes.get('sku')!r} is taken by another variant; SKUs are unique in a store."
            raise _invalid("sku", message, "sku_taken") from exc
        if values_changed and attribute_values is not None:
            variant.attribute_values.set(attribute_values)
        catalog_changed("variant", variant.pk, "updated", product_id=variant.product_id)
        _audit(request, actor, variant.product, variant=variant.sku, change="variant_updated", fields=sorted(changed))
    return variant


def set_variant_price(
    request: HttpRequest | None, actor: User, variant: ProductVariant, *, currency: str, amount: Decimal
) -> VariantPrice:
    """The variant's price in `currency` (made or replaced): a currency the store sells in, in whole minor units."""
    store = StoreSettings.current()
    if currency not in (offered := offered_currencies(store)):
        raise CurrencyNotOffered(currency, offered)
    if amount < 0 or not money.is_rounded(amount, currency):
        places = money.exponent(currency)
        message = f"{amount} is not a price in {currency}: give a non-negative amount with at most {places} decimals."
        raise _invalid("amount", message, "invalid_amount")
    context = Context.of(request)
    with transaction.atomic():
        _locked_product(actor, variant.product, context)
        before = (
            VariantPrice.objects.filter(variant=variant, currency=currency).values_list("amount", flat=True).first()
        )
        price, _ = VariantPrice.objects.update_or_create(
            variant=variant, currency=currency, defaults={"amount": amount}
        )
        if before is not None and before == amount:
            return price
        catalog_changed(
            "price", price.pk, "updated" if before is not None else "created", product_id=variant.product_id
        )
        _audit(
            request,
            actor,
            variant.product,
            variant=variant.sku,
            change="price_set",
            currency=currency,
            amount={
                "from": None if before is None else format(money.round_money(before, currency), "f"),
                "to": format(money.round_money(amount, currency), "f"),
            },
        )
    return price


def remove_variant_price(request: HttpRequest | None, actor: User, variant: ProductVariant, *, currency: str) -> None:
    """No own price in `currency` any more (the default-currency price, converted, applies); none, no event."""
    context = Context.of(request)
    with transaction.atomic():
        _locked_product(actor, variant.product, context)
        price = VariantPrice.objects.filter(variant=variant, currency=currency).first()
        if price is None:
            return
        price_id = price.pk
        price.delete()
        catalog_changed("price", price_id, "deleted", product_id=variant.product_id)
        _audit(request, actor, variant.product, variant=variant.sku, change="price_removed", currency=currency)


def set_stock(
    request: HttpRequest | None, actor: User, variant: ProductVariant, *, location: str, quantity: int
) -> Stock:
    """The quantity on hand of the variant at `location` (made or replaced); never below what checkouts reserved."""
    if quantity < 0:
        raise _invalid("quantity", "A quantity on hand cannot be negative.", "min_value")
    context = Context.of(request)
    with transaction.atomic():
        _locked_product(actor, variant.product, context)
        stock, made = Stock.objects.select_for_update().get_or_create(
            variant=variant, location=location, defaults={"quantity": quantity}
        )
        if not made:
            if stock.quantity == quantity:
                return stock
            if quantity < stock.quantity_reserved:
                message = (
                    f"{stock.quantity_reserved} are reserved by checkouts at {location!r}; "
                    "set at least that many on hand."
                )
                raise _invalid("quantity", message, "below_reserved")
            before = stock.quantity
            stock.quantity = quantity
            stock.save(update_fields=["quantity", "updated_at"])
        else:
            before = None
        catalog_changed("stock", stock.pk, "created" if made else "updated", product_id=variant.product_id)
        _audit(
            request,
            actor,
            variant.product,
            variant=variant.sku,
            change="stock_set",
            location=location,
            quantity={"from": before, "to": quantity},
        )
    return stock
