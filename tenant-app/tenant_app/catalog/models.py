"""The store's catalog: products and their variants (SKUs) with a price per currency and stock per location,
attributes (size, colour…) and their values, and the store's languages and currencies.

A product keeps its original single price (`price_amount`, `price_currency`): the staff API and orders read it.
Shoppers buy variants, priced per currency by `VariantPrice` (tenant_app.catalog.pricing).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, ClassVar

import pycountry
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector, SearchVectorField
from django.core.validators import MinValueValidator
from django.db import models

from tenant_app.catalog.languages import search_config
from tenant_app.catalog.money import validate_currency
from tenantry_kernel import money as kernel_money


def _searchable(language_field: str, *weighted: tuple[str, str]) -> Any:
    """A tsvector of the fields (weight A, B…) stemmed by the PostgreSQL configuration of the row's language."""
    config = search_config(language_field)
    vectors = [SearchVector(field, config=config, weight=weight) for field, weight in weighted]
    combined: Any = vectors[0]
    for vector in vectors[1:]:
        combined = combined + vector
    return combined


class Product(models.Model):
    name = models.CharField(max_length=200)
    description = models.TextField(max_length=20000, blank=True)
    # The shopper's address of the product (/storefront/products/<slug>/); made from the name when not given.
    slug = models.SlugField(max_length=220, unique=True)
    category = models.ForeignKey("Category", on_delete=models.SET_NULL, null=True, blank=True, related_name="products")
    collections: models.ManyToManyField[Collection, Any] = models.ManyToManyField(
        "Collection", blank=True, related_name="products"
    )
    # The language of `name` and `description` (the store's default language when they were written): it picks
    # the stemming of the search vector. Other languages are ProductTranslation rows.
    text_language = models.CharField(max_length=8, default="en")
    search_vector = models.GeneratedField(
        expression=_searchable("text_language", ("name", "A"), ("description", "B")),
        output_field=SearchVectorField(),
        db_persist=True,
    )
    price_amount = models.DecimalField(max_digits=12, decimal_places=2, validators=[MinValueValidator(Decimal(0))])
    price_currency = models.CharField(max_length=3, validators=[validate_currency])
    # Shoppers (the customer role, through the seeded policy) and the marketplace see published products only.
    published = models.BooleanField(default=False)
    published_at = models.DateTimeField(null=True, blank=True)
    # The store location that keeps the product: policies test it, e.g. staff change products of their own
    # location only (`resource.location == subject.location`). Empty: no particular location.
    location = models.CharField(max_length=100, blank=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(fields=["published", "id"], name="catalog_product_published"),
            models.Index(fields=["published", "-published_at"], name="catalog_product_newest"),
            GinIndex(fields=["search_vector"], name="catalog_product_search"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(price_amount__gte=0), name="catalog_product_price_not_negative"),
            models.CheckConstraint(
                condition=models.Q(price_currency__regex=r"^[A-Z]{3}$"), name="catalog_product_currency_iso_4217"
            ),
            # A published product says since when; an unpublished one has no such date.
            models.CheckConstraint(
                condition=models.Q(published=True, published_at__isnull=False)
                | models.Q(published=False, published_at__isnull=True),
                name="catalog_product_published_at",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Attribute(models.Model):
    """A kind of difference between variants: size, colour, roast…"""

    name = models.CharField(max_length=100)
    slug = models.SlugField(max_length=100, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class AttributeValue(models.Model):
    """One value of an attribute: "M" of size, "red" of colour."""

    attribute = models.ForeignKey(Attribute, on_delete=models.CASCADE, related_name="values")
    name = models.CharField(max_length=100)
    slug = models.SlugField(max_length=100)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["attribute_id", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["attribute", "slug"], name="catalog_attribute_value_slug_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class ProductVariant(models.Model):
    """What a shopper puts in a cart: one SKU of a product (its size, colour… as attribute values)."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="variants")
    sku = models.CharField(max_length=64, unique=True)
    name = models.CharField(max_length=200, blank=True)
    weight_grams = models.PositiveIntegerField(default=0)
    attribute_values = models.ManyToManyField(AttributeValue, blank=True, related_name="variants")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["product_id", "id"]

    def __str__(self) -> str:
        return self.sku


def _places_of_currency() -> models.Case:
    """SQL for the ISO 4217 exponent of the row's currency (2 unless the standard says otherwise)."""
    by_places: dict[int, list[str]] = {}
    for code in sorted(currency.alpha_3 for currency in pycountry.currencies):
        if kernel_money.is_currency(code) and (places := kernel_money.exponent(code)) != 2:
            by_places.setdefault(places, []).append(code)
    # A regex rather than `IN (…)`: PostgreSQL prints an IN list over varchar with casts that read back differently,
    # so a schema cloned from the template (which re-creates constraints from their printed definitions) would
    # differ from a migrated one; a regex prints back as it was written.
    whens = [
        models.When(currency__regex=f"^({'|'.join(codes)})$", then=models.Value(places))
        for places, codes in sorted(by_places.items())
    ]
    return models.Case(*whens, default=models.Value(2), output_field=models.IntegerField())


class VariantPrice(models.Model):
    """A variant's price in one currency, in whole minor units of it (12.50 EUR, 1250 JPY, 4.125 KWD)."""

    variant = models.ForeignKey(ProductVariant, on_delete=models.CASCADE, related_name="prices")
    currency = models.CharField(max_length=3, validators=[validate_currency])
    amount = models.DecimalField(max_digits=15, decimal_places=3, validators=[MinValueValidator(Decimal(0))])
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["variant_id", "currency"]
        constraints = [
            models.UniqueConstraint(fields=["variant", "currency"], name="catalog_variant_price_currency_unique"),
            models.CheckConstraint(condition=models.Q(amount__gte=0), name="catalog_variant_price_not_negative"),
            models.CheckConstraint(
                condition=models.Q(currency__regex=r"^[A-Z]{3}$"), name="catalog_variant_price_currency_iso_4217"
            ),
            # No more decimals than the currency's minor unit (ISO 4217): 12.505 EUR or 12.5 JPY are refused.
            models.CheckConstraint(
                condition=models.Q(
                    amount=models.Func(
                        models.F("amount"), _places_of_currency(), function="ROUND", output_field=models.DecimalField()
                    )
                ),
                name="catalog_variant_price_minor_unit",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.amount} {self.currency}"


class Stock(models.Model):
    """How many of a variant one location has on hand, and how many of those checkouts hold (reserved)."""

    variant = models.ForeignKey(ProductVariant, on_delete=models.CASCADE, related_name="stocks")
    location = models.CharField(max_length=100)
    quantity = models.PositiveIntegerField()
    # Owned by checkout (tenant_app.checkout): changed there only, under a row lock.
    quantity_reserved = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["variant_id", "location"]
        constraints = [
            models.UniqueConstraint(fields=["variant", "location"], name="catalog_stock_location_unique"),
            models.CheckConstraint(
                condition=models.Q(quantity_reserved__gte=0, quantity_reserved__lte=models.F("quantity")),
                name="catalog_stock_reserved_within_quantity",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.variant_id}@{self.location}: {self.quantity}"

    @property
    def quantity_available(self) -> int:
        return self.quantity - self.quantity_reserved


class StoreSettings(models.Model):
    """The store's languages and currencies: one row in the tenant's schema (`StoreSettings.current()`)."""

    # The single row's key: a unique constant, so two first reads cannot make two rows.
    singleton = models.BooleanField(default=True, unique=True, editable=False)
    languages = ArrayField(models.CharField(max_length=16), default=list)  # e.g. ["en", "de"]
    default_language = models.CharField(max_length=16, default="en")
    currencies = ArrayField(models.CharField(max_length=3), default=list)  # ISO 4217 codes the store sells in
    default_currency = models.CharField(max_length=3, default="EUR")
    # Units of a currency per 1 default currency, as decimal strings: {"USD": "1.0835"}; ahead of the rates file.
    rate_overrides = models.JSONField(default=dict, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    DEFAULTS: ClassVar[dict[str, object]] = {
        "languages": ["en"],
        "default_language": "en",
        "currencies": ["EUR"],
        "default_currency": "EUR",
    }

    class Meta:
        verbose_name_plural = "store settings"
        constraints = [
            models.CheckConstraint(condition=models.Q(singleton=True), name="catalog_store_settings_single_row"),
            models.CheckConstraint(
                condition=models.Q(default_currency__regex=r"^[A-Z]{3}$"),
                name="catalog_store_settings_currency_iso_4217",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.default_language}/{self.default_currency}"

    @classmethod
    def current(cls) -> StoreSettings:
        """The store's settings, made with the defaults (English, euros) on first use."""
        found, _ = cls.objects.get_or_create(singleton=True, defaults=dict(cls.DEFAULTS))
        return found


class Category(models.Model):
    """A shelf of the store, in a tree ("Coffee", then "Beans"); a product sits in one."""

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    description = models.TextField(max_length=20000, blank=True)
    parent = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="children")
    position = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["position", "id"]
        verbose_name_plural = "categories"

    def __str__(self) -> str:
        return self.name


class Collection(models.Model):
    """A hand-picked set of products ("Summer sale", "Staff picks"); a product may be in several."""

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    description = models.TextField(max_length=20000, blank=True)
    published = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class ProductTranslation(models.Model):
    """A product's name and description in one of the store's languages (an empty field falls back)."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="translations")
    language = models.CharField(max_length=8)
    name = models.CharField(max_length=200, blank=True)
    description = models.TextField(max_length=20000, blank=True)
    search_vector = models.GeneratedField(
        expression=_searchable("language", ("name", "A"), ("description", "B")),
        output_field=SearchVectorField(),
        db_persist=True,
    )

    class Meta:
        ordering = ["product_id", "language"]
        indexes = [GinIndex(fields=["search_vector"], name="catalog_product_tr_search")]
        constraints = [
            models.UniqueConstraint(fields=["product", "language"], name="catalog_product_translation_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.product_id}/{self.language}"


class CategoryTranslation(models.Model):
    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="translations")
    language = models.CharField(max_length=8)
    name = models.CharField(max_length=200, blank=True)
    description = models.TextField(max_length=20000, blank=True)

    class Meta:
        ordering = ["category_id", "language"]
        constraints = [
            models.UniqueConstraint(fields=["category", "language"], name="catalog_category_translation_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.category_id}/{self.language}"


class CollectionTranslation(models.Model):
    collection = models.ForeignKey(Collection, on_delete=models.CASCADE, related_name="translations")
    language = models.CharField(max_length=8)
    name = models.CharField(max_length=200, blank=True)
    description = models.TextField(max_length=20000, blank=True)

    class Meta:
        ordering = ["collection_id", "language"]
        constraints = [
            models.UniqueConstraint(fields=["collection", "language"], name="catalog_collection_translation_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.collection_id}/{self.language}"


class AttributeTranslation(models.Model):
    attribute = models.ForeignKey(Attribute, on_delete=models.CASCADE, related_name="translations")
    language = models.CharField(max_length=8)
    name = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["attribute_id", "language"]
        constraints = [
            models.UniqueConstraint(fields=["attribute", "language"], name="catalog_attribute_translation_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.attribute_id}/{self.language}"


class AttributeValueTranslation(models.Model):
    value = models.ForeignKey(AttributeValue, on_delete=models.CASCADE, related_name="translations")
    language = models.CharField(max_length=8)
    name = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["value_id", "language"]
        constraints = [
            models.UniqueConstraint(fields=["value", "language"], name="catalog_attribute_value_translation_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.value_id}/{self.language}"


class CatalogVersion(models.Model):
    """One row counting the catalog's changes: every catalog action adds one in its own transaction, and the
    storefront's cache keys carry the count (tenant_app.catalog.cache), so a committed change is never served stale.
    """

    singleton = models.BooleanField(default=True, unique=True, editable=False)
    version = models.BigIntegerField(default=1)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(singleton=True), name="catalog_version_single_row"),
        ]

    def __str__(self) -> str:
        return str(self.version)
