"""Variants, their prices per currency and stock per location on a real tenant schema: the database's own rules
(ISO 4217 minor units, reservations within stock) and `pricing.price_of` (own price, conversion, refusals)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from tenant_app.catalog.errors import CatalogProblem
from tenant_app.catalog.models import Product, ProductVariant, Stock, StoreSettings, VariantPrice
from tenant_app.catalog.pricing import Priced, price_of
from tenant_app.tenancy.context import tenant_transaction

from .conftest import ShardTenant


@pytest.fixture
def tenant(shard: tuple[str, list[ShardTenant]]) -> ShardTenant:
    return shard[1][0]


def make_variant(sku: str = "BIKE-M") -> ProductVariant:
    product = Product.objects.create(
        name="Bike", slug=sku.lower(), price_amount=Decimal("499.90"), price_currency="EUR"
    )
    return ProductVariant.objects.create(product=product, sku=sku, name="M")


def sells_in(currencies: list[str], default: str = "EUR", overrides: dict[str, str] | None = None) -> None:
    store = StoreSettings.current()
    store.currencies, store.default_currency, store.rate_overrides = currencies, default, overrides or {}
    store.save()


def test_the_database_refuses_more_decimals_than_the_currencys_minor_unit(tenant: ShardTenant) -> None:
    with tenant_transaction(tenant.route):
        variant = make_variant()
        VariantPrice.objects.create(variant=variant, currency="EUR", amount=Decimal("12.50"))
        VariantPrice.objects.create(variant=variant, currency="JPY", amount=Decimal("1250"))
        VariantPrice.objects.create(variant=variant, currency="KWD", amount=Decimal("4.125"))
        refused = []
        for currency, amount in (("USD", "12.505"), ("JPY", "12.5"), ("CHF", "-1.00")):
            try:
                with transaction.atomic():
                    VariantPrice.objects.create(variant=variant, currency=currency, amount=Decimal(amount))
            except IntegrityError as exc:
                refused.append((currency, exc.__cause__.diag.constraint_name))  # type: ignore[union-attr]  # psycopg's
        assert refused == [
            ("USD", "catalog_variant_price_minor_unit"),
            ("JPY", "catalog_variant_price_minor_unit"),
            ("CHF", "catalog_variant_price_not_negative"),
        ]
        with pytest.raises(IntegrityError), transaction.atomic():
            VariantPrice.objects.create(variant=variant, currency="EUR", amount=Decimal("13.00"))


def test_the_database_keeps_reservations_within_the_stock_on_hand(tenant: ShardTenant) -> None:
    with tenant_transaction(tenant.route):
        variant = make_variant()
        stock = Stock.objects.create(variant=variant, location="north", quantity=3, quantity_reserved=3)
        with pytest.raises(IntegrityError), transaction.atomic():
            Stock.objects.filter(pk=stock.pk).update(quantity_reserved=4)
        with pytest.raises(IntegrityError), transaction.atomic():
            Stock.objects.create(variant=variant, location="north", quantity=1)
        assert Stock.objects.get(pk=stock.pk).quantity_available == 0


def test_store_settings_are_one_row_made_on_first_use(tenant: ShardTenant) -> None:
    with tenant_transaction(tenant.route):
        first = StoreSettings.current()
        again = StoreSettings.current()
        assert (first.pk, first.languages, first.currencies) == (again.pk, ["en"], ["EUR"])
        assert (first.default_language, first.default_currency) == ("en", "EUR")
        with pytest.raises(IntegrityError), transaction.atomic():
            StoreSettings.objects.create()


def test_price_of_takes_the_variants_own_price_in_the_currency(tenant: ShardTenant) -> None:
    with tenant_transaction(tenant.route):
        sells_in(["EUR", "USD"])
        variant = make_variant()
        VariantPrice.objects.create(variant=variant, currency="EUR", amount=Decimal("10.00"))
        VariantPrice.objects.create(variant=variant, currency="USD", amount=Decimal("11.99"))

        assert price_of(variant, "USD") == Priced(Decimal("11.99"), "USD", None)
        assert str(price_of(variant, "EUR").amount) == "10.00"


def test_price_of_converts_the_default_price_once_at_the_stores_rate(tenant: ShardTenant) -> None:
    with tenant_transaction(tenant.route):
        sells_in(["EUR", "USD", "JPY", "GBP"], overrides={"USD": "1.0835"})
        variant = make_variant()
        VariantPrice.objects.create(variant=variant, currency="EUR", amount=Decimal("10.55"))

        # The store's override: 10.55 * 1.0835 = 11.430925 → 11.43.
        assert price_of(variant, "USD") == Priced(Decimal("11.43"), "USD", Decimal("1.0835"))
        # The rates file (sample: 1 EUR = 160 JPY, 0.85 GBP): 1688 JPY; 8.9675 GBP → 8.97 (half up).
        assert price_of(variant, "JPY") == Priced(Decimal("1688"), "JPY", Decimal("160"))
        assert price_of(variant, "GBP") == Priced(Decimal("8.97"), "GBP", Decimal("0.85"))


def test_price_of_refuses_currencies_the_store_does_not_sell_in_and_missing_prices(tenant: ShardTenant) -> None:
    with tenant_transaction(tenant.route):
        sells_in(["EUR", "USD", "SEK"])
        variant = make_variant()
        VariantPrice.objects.create(variant=variant, currency="USD", amount=Decimal("12.00"))

        refusals = []
        for currency in ("CHF", "SEK", "usd"):
            with pytest.raises(CatalogProblem) as refused:
                price_of(variant, currency)
            refusals.append((currency, refused.value.code, refused.value.status_code))
        assert refusals == [
            ("CHF", "currency_not_offered", 400),
            ("SEK", "no_price", 400),  # no SEK price and no EUR price to convert
            ("usd", "currency_not_offered", 400),
        ]
