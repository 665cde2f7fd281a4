"""Reads of the catalog that several APIs and apps share."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import connection, models
from django.db.models import Exists, ExpressionWrapper, F, Func, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce, Greatest, NullIf

from tenant_app.access.policy import Context, scope
from tenant_app.catalog.languages import config_name
from tenant_app.catalog.models import (
    Category,
    CategoryTranslation,
    Collection,
    Product,
    ProductTranslation,
    ProductVariant,
    Stock,
    StoreSettings,
    VariantPrice,
)
from tenant_app.catalog.pricing import rates_provider
from tenantry_kernel import money
from tenantry_kernel.money import MoneyError


def visible_products(user: Any, context: Context | None = None) -> QuerySet[Product]:
    """The products `user` may see (customers: the published ones, by the seeded policy), oldest first."""
    return scope(user, "products.view", Product.objects.select_related("category").order_by("id"), context)


def for_sale(product_ids: Iterable[int]) -> dict[int, Product]:
    """The published products among `product_ids`, by id: what an order may contain, at today's price."""
    return {product.pk: product for product in Product.objects.filter(pk__in=list(product_ids), published=True)}


# ---- The storefront: what anonymous shoppers read (published products, in their language and currency) ----

# At most this many units are shown as a count ("only 3 left"); above it, only "in stock".
LOW_STOCK_THRESHOLD = 5


@dataclass(frozen=True)
class Storefront:
    """What every storefront request needs first, read in one query: the catalog's version and the settings."""

    version: int
    settings: StoreSettings


_STATE_SQL = """
SELECT v.version, s.languages, s.default_language, s.currencies, s.default_currency, s.rate_overrides
FROM catalog_catalogversion v LEFT JOIN catalog_storesettings s ON s.singleton
WHERE v.singleton
"""


def storefront_state() -> Storefront:
    """The catalog's version and the store's settings (the defaults, unsaved, when none were ever written)."""
    with connection.cursor() as cursor:
        cursor.execute(_STATE_SQL)
        row = cursor.fetchone()
    if row is None:  # the version row is made by the migration; a missing one is an unchanged catalog
        return Storefront(0, StoreSettings(**StoreSettings.DEFAULTS))
    version, languages, default_language, currencies, default_currency, overrides = row
    if default_language is None:
        return Storefront(version, StoreSettings(**StoreSettings.DEFAULTS))
    store = StoreSettings(
        languages=languages,
        default_language=default_language,
        currencies=currencies,
        default_currency=default_currency,
        rate_overrides=overrides if isinstance(overrides, dict) else json.loads(overrides or "{}"),
    )
    return Storefront(version, store)


def availability(units: int) -> dict[str, Any]:
    """What a shopper is told of stock: a count only when few are left."""
    if units <= 0:
        return {"status": "out_of_stock", "quantity": None}
    if units <= LOW_STOCK_THRESHOLD:
        return {"status": "low_stock", "quantity": units}
    return {"status": "in_stock", "quantity": None}


def translated(model: type[models.Model], owner: str, language: str, field: str, fallback: str) -> Any:
    """SQL for `field` in `language` (the translation row's, when not empty), else the default text `fallback`."""
    translation = model._default_manager.filter(**{owner: OuterRef("pk"), "language": language}).values(field)[:1]
    return Coalesce(NullIf(Subquery(translation), Value("")), F(fallback))


def _variant_price(store: StoreSettings, currency: str) -> Any:
    """SQL for a variant's price in `currency`, as pricing.price_of computes it (own price, else converted once)."""
    own = Subquery(VariantPrice.objects.filter(variant=OuterRef("pk"), currency=currency).values("amount")[:1])
    if currency == store.default_currency:
        return own
    try:
        rate = rates_provider(store).rate(store.default_currency, currency).value
    except MoneyError:
        return own  # no rate: only the variant's own prices in this currency count
    base = Subquery(
        VariantPrice.objects.filter(variant=OuterRef("pk"), currency=store.default_currency).values("amount")[:1]
    )
    converted = Func(
        ExpressionWrapper(base * Value(rate), output_field=models.DecimalField()),
        Value(money.exponent(currency)),
        function="ROUND",
        output_field=models.DecimalField(),
    )
    return Coalesce(own, converted, output_field=models.DecimalField())


def _descendants(category: Category) -> list[int]:
    children: dict[int | None, list[int]] = {}
    for pk, parent in Category.objects.values_list("pk", "parent_id"):
        children.setdefault(parent, []).append(pk)
    found, todo = [], [category.pk]
    while todo:
        pk = todo.pop()
        found.append(pk)
        todo.extend(children.get(pk, []))
    return found


@dataclass(frozen=True)
class ProductQuery:
    """A shopper's question of the product list (validated by the API)."""

    language: str
    currency: str
    category: Category | None = None
    collection: Collection | None = None
    attributes: dict[str, list[str]] = field(default_factory=dict)  # attribute slug → value slugs (any of them)
    price_min: Decimal | None = None
    price_max: Decimal | None = None
    in_stock: bool | None = None
    search: str = ""


def search_query(text: str, language: str) -> SearchQuery:
    return SearchQuery(text, config=config_name(language), search_type="websearch")


def storefront_products(store: StoreSettings, question: ProductQuery) -> QuerySet[Product]:
    """The published products with a price in the shopper's currency that answer `question`, annotated with
    `display_name`, `price`, `units` (available) and `category_name` (rank too when searching); unordered."""
    language, currency = question.language, question.currency
    variant_prices = (
        ProductVariant.objects.filter(product=OuterRef("pk"))
        .annotate(price=_variant_price(store, currency))
        .exclude(price=None)
        .order_by("price")
        .values("price")[:1]
    )
    units = (
        Stock.objects.filter(variant__product=OuterRef("pk"))
        .values("variant__product")
        .annotate(units=Sum(F("quantity") - F("quantity_reserved")))
        .values("units")
    )
    products = Product.objects.filter(published=True).select_related("category")
    if language == store.default_language:
        products = products.annotate(display_name=F("name"), category_name=F("category__name"))
    else:
        category_names = CategoryTranslation.objects.filter(category=OuterRef("category_id"), language=language)
        products = products.annotate(
            display_name=translated(ProductTranslation, "product", language, "name", "name"),
            category_name=Coalesce(NullIf(Subquery(category_names.values("name")[:1]), Value("")), F("category__name")),
        )
    products = products.annotate(
        price=Subquery(variant_prices, output_field=models.DecimalField()),
        units=Coalesce(Subquery(units, output_field=models.IntegerField()), Value(0)),
    ).filter(price__isnull=False)
    if question.category is not None:
        products = products.filter(category_id__in=_descendants(question.category))
    if question.collection is not None:
        products = products.filter(collections=question.collection)
    for attribute, values in sorted(question.attributes.items()):
        having = ProductVariant.objects.filter(
            product=OuterRef("pk"), attribute_values__attribute__slug=attribute, attribute_values__slug__in=values
        )
        products = products.filter(Exists(having))
    if question.price_min is not None:
        products = products.filter(price__gte=question.price_min)
    if question.price_max is not None:
        products = products.filter(price__lte=question.price_max)
    if question.in_stock is not None:
        products = products.filter(units__gt=0) if question.in_stock else products.filter(units__lte=0)
    if question.search:
        own = search_query(question.search, store.default_language)
        matches: Any = Q(search_vector=own)
        rank: Any = SearchRank(F("search_vector"), own)
        if language != store.default_language:
            theirs = search_query(question.search, language)
            in_language = ProductTranslation.objects.filter(product=OuterRef("pk"), language=language)
            matches |= Exists(in_language.filter(search_vector=theirs))
            their_rank = in_language.annotate(rank=SearchRank(F("search_vector"), theirs)).values("rank")[:1]
            rank = Greatest(rank, Coalesce(Subquery(their_rank, output_field=models.FloatField()), Value(0.0)))
        products = products.filter(matches).annotate(rank=rank)
    return products


_WORD = re.compile(r"\w+", re.UNICODE)
MAX_SUGGESTIONS = 10


def suggestions(store: StoreSettings, language: str, text: str, limit: int = MAX_SUGGESTIONS) -> list[dict[str, str]]:
    """Up to `limit` published products whose words start with the words typed ("espr be" finds "Espresso
    beans"), in the shopper's language: prefix matching on the same search vectors, best match first."""
    words = _WORD.findall(text.lower())[:6]
    if not words:
        return []
    raw = " & ".join(f"{word}:*" for word in words)
    own = SearchQuery(raw, config=config_name(store.default_language), search_type="raw")
    products = Product.objects.filter(published=True)
    matches: Any = Q(search_vector=own)
    if language != store.default_language:
        theirs = SearchQuery(raw, config=config_name(language), search_type="raw")
        in_language = ProductTranslation.objects.filter(product=OuterRef("pk"), language=language)
        matches |= Exists(in_language.filter(search_vector=theirs))
        products = products.annotate(display_name=translated(ProductTranslation, "product", language, "name", "name"))
    else:
        products = products.annotate(display_name=F("name"))
    found = (
        products.filter(matches)
        .annotate(rank=SearchRank(F("search_vector"), own))
        .order_by("-rank", "display_name", "pk")
        .values("slug", "display_name")[:limit]
    )
    return [{"slug": row["slug"], "name": row["display_name"]} for row in found]
