"""The public storefront: anonymous, read-only, published products only, in the shopper's language and currency.

`?lang=` (else Accept-Language, among the store's languages; else its default) and `?currency=` (else the store's
default) pick what a page is in; a language or currency the store does not offer is 400 `language_not_offered` /
`currency_not_offered`. Product lists, product pages, categories and collections are cached in Redis per tenant,
version, language, currency and question (tenant_app.catalog.cache); `X-Cache` says `hit` or `miss`, and a request
sent with `Cache-Control: no-cache` is answered fresh.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any, ClassVar

from django.db.models import Prefetch, QuerySet
from django.http import HttpResponse
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_serializer
from rest_framework import serializers
from rest_framework.authentication import BaseAuthentication
from rest_framework.exceptions import NotFound
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.views import APIView

from tenant_app.api.throttling import UserThrottle
from tenant_app.catalog import cache
from tenant_app.catalog.errors import CurrencyNotOffered, LanguageNotOffered
from tenant_app.catalog.languages import pick_language
from tenant_app.catalog.models import (
    AttributeTranslation,
    AttributeValue,
    AttributeValueTranslation,
    Category,
    CategoryTranslation,
    Collection,
    CollectionTranslation,
    Product,
    ProductTranslation,
    ProductVariant,
    StoreSettings,
)
from tenant_app.catalog.pricing import offered_currencies, price_of, rates_provider
from tenant_app.catalog.selectors import (
    MAX_SUGGESTIONS,
    ProductQuery,
    availability,
    storefront_products,
    storefront_state,
    suggestions,
)
from tenantry_kernel.money import round_money
from tenantry_kernel.web.openapi import problems, response_example
from tenantry_kernel.web.pagination import CursorPage, one_page

MAX_PAGE_SIZE = 100
# Sort orders of the product list: the cursor's keys (the primary key keeps equal values in one order).
SORTS: dict[str, tuple[str, ...]] = {
    "newest": ("-published_at", "-pk"),
    "price": ("price", "pk"),
    "-price": ("-price", "-pk"),
    "name": ("display_name", "pk"),
    "-name": ("-display_name", "-pk"),
    "relevance": ("-rank", "pk"),
}

LANG = OpenApiParameter("lang", str, description="A language of the store (ISO 639-1); else Accept-Language.")
CURRENCY = OpenApiParameter("currency", str, description="A currency of the store (ISO 4217); else its default.")


class ProductListQuery(serializers.Serializer[Any]):
    """The product list's filters, sort and page, as query parameters (anything else is ignored)."""

    category = serializers.SlugField(required=False, max_length=200, help_text="A category's slug (and below it).")
    collection = serializers.SlugField(required=False, max_length=200, help_text="A collection's slug.")
    attr = serializers.ListField(
        child=serializers.RegexField(r"^[-a-z0-9_]{1,100}:[-a-z0-9_]{1,100}$", max_length=201),
        required=False,
        max_length=20,
        help_text="attribute:value, repeatable: any value of one attribute, every attribute given.",
    )
    price_min = serializers.DecimalField(
        max_digits=15, decimal_places=3, min_value=Decimal(0), required=False, help_text="In the page's currency."
    )
    price_max = serializers.DecimalField(
        max_digits=15, decimal_places=3, min_value=Decimal(0), required=False, help_text="In the page's currency."
    )
    in_stock = serializers.ChoiceField(choices=["true", "false"], required=False)
    q = serializers.CharField(required=False, max_length=200, help_text="Full-text search in the page's language.")
    sort = serializers.ChoiceField(choices=list(SORTS), required=False)
    page_size = serializers.IntegerField(min_value=1, max_value=MAX_PAGE_SIZE, required=False)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        low, high = attrs.get("price_min"), attrs.get("price_max")
        if low is not None and high is not None and low > high:
            raise serializers.ValidationError({"price_max": ["price_max is below price_min."]}, code="invalid_range")
        if attrs.get("sort") == "relevance" and not attrs.get("q"):
            raise serializers.ValidationError({"sort": ["Sorting by relevance needs a search (?q=)."]})
        return attrs


class SuggestionQuery(serializers.Serializer[Any]):
    q = serializers.CharField(max_length=100, help_text="The words typed so far.")


class StorefrontPage(CursorPage):
    page_size = 24
    max_page_size = MAX_PAGE_SIZE

    def __init__(self, sort: str) -> None:
        self.sort = sort
        self.ordering = SORTS[sort]

    def _is_position(self, value: str) -> bool:
        """Positions are annotations here: each sort's own kind of value, or the cursor is refused (400)."""
        try:
            if self.sort in ("price", "-price"):
                return Decimal(value).is_finite()
            if self.sort == "newest":
                datetime.fromisoformat(value)
            elif self.sort == "relevance":
                float(value)
        except (InvalidOperation, ValueError):
            return False
        return len(value) <= 400


# ---- Documentation of the answers (the views build them as plain data) ----

CARD = {
    "slug": "espresso-beans",
    "name": "Espressobohnen",
    "category": {"slug": "beans", "name": "Bohnen"},
    "price": {"amount": "10.89", "currency": "USD"},
    "availability": {"status": "in_stock", "quantity": None},
}
VARIANT = {
    "sku": "espresso-beans-250-g",
    "name": "",
    "attributes": [{"attribute": {"slug": "size", "name": "Größe"}, "value": {"slug": "250-g", "name": "250 g"}}],
    "price": {"amount": "10.89", "currency": "USD"},
    "availability": {"status": "low_stock", "quantity": 3},
}
PAGE = {
    **{key: value for key, value in CARD.items() if key != "availability"},
    "description": "Dunkel geröstet.",
    "collections": [{"slug": "staff-picks", "name": "Empfehlungen"}],
    "availability": {"status": "in_stock", "quantity": None},
    "variants": [VARIANT],
    "published_at": "2026-03-03T10:00:00+00:00",
}
CATEGORY = {
    "slug": "coffee",
    "name": "Kaffee",
    "description": "",
    "children": [{"slug": "beans", "name": "Bohnen", "description": "", "children": []}],
}


class MoneyOut(serializers.Serializer[Any]):
    amount = serializers.CharField(help_text="Decimal, in the currency's minor unit.")
    currency = serializers.CharField()


class AvailabilityOut(serializers.Serializer[Any]):
    status = serializers.ChoiceField(choices=["in_stock", "low_stock", "out_of_stock"])
    quantity = serializers.IntegerField(allow_null=True, help_text="Only when few are left (low_stock).")


class NamedOut(serializers.Serializer[Any]):
    slug = serializers.CharField()
    name = serializers.CharField()


class ProductCardOut(serializers.Serializer[Any]):
    slug = serializers.CharField()
    name = serializers.CharField()
    category = NamedOut(allow_null=True)
    price = MoneyOut(help_text="The lowest price of its variants.")
    availability = AvailabilityOut()


@extend_schema_serializer(examples=[response_example("Coffee in German and dollars", one_page([CARD]))])
class ProductListOut(serializers.Serializer[Any]):
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = ProductCardOut(many=True)


class VariantAttributeOut(serializers.Serializer[Any]):
    attribute = NamedOut()
    value = NamedOut()


class VariantOut(serializers.Serializer[Any]):
    sku = serializers.CharField()
    name = serializers.CharField()
    attributes = VariantAttributeOut(many=True)
    price = MoneyOut(allow_null=True)
    availability = AvailabilityOut()


@extend_schema_serializer(examples=[response_example("Espresso beans", PAGE)])
class ProductPageOut(serializers.Serializer[Any]):
    slug = serializers.CharField()
    name = serializers.CharField()
    description = serializers.CharField()
    category = NamedOut(allow_null=True)
    collections = NamedOut(many=True)
    price = MoneyOut(allow_null=True)
    availability = AvailabilityOut()
    variants = VariantOut(many=True)
    published_at = serializers.DateTimeField()


class CategoryOut(serializers.Serializer[Any]):
    slug = serializers.CharField()
    name = serializers.CharField()
    description = serializers.CharField()
    children = serializers.ListField(child=serializers.DictField(), help_text="Categories below, the same shape.")


class CollectionOut(serializers.Serializer[Any]):
    slug = serializers.CharField()
    name = serializers.CharField()
    description = serializers.CharField()


def _page(name: str, item: type[serializers.Serializer[Any]], example: dict[str, Any]) -> Any:
    page = type(
        name,
        (serializers.Serializer,),
        {
            "__doc__": "A short list, shaped as a list's page (the only one: no links).",
            "next": serializers.URLField(allow_null=True),
            "previous": serializers.URLField(allow_null=True),
            "results": item(many=True),
        },
    )
    return extend_schema_serializer(examples=[response_example("A page", one_page([example]))])(page)


CategoryTreeOut = _page("StorefrontCategoryTree", CategoryOut, CATEGORY)
CollectionsOut = _page(
    "StorefrontCollections", CollectionOut, {"slug": "staff-picks", "name": "Empfehlungen", "description": ""}
)
SuggestionsOut = _page("StorefrontSuggestions", NamedOut, {"slug": "espresso-beans", "name": "Espresso beans"})


@extend_schema_serializer(
    examples=[
        response_example(
            "English and German",
            {
                "languages": ["en", "de"],
                "default_language": "en",
                "currencies": ["EUR", "USD"],
                "default_currency": "EUR",
            },
        )
    ]
)
class SettingsOut(serializers.Serializer[Any]):
    languages = serializers.ListField(child=serializers.CharField())
    default_language = serializers.CharField()
    currencies = serializers.ListField(child=serializers.CharField())
    default_currency = serializers.CharField()


# ---- Views ----


def _money(amount: Decimal | None, currency: str) -> dict[str, str] | None:
    return None if amount is None else {"amount": format(round_money(amount, currency), "f"), "currency": currency}


def _text(row: Any, language: str, field: str) -> str:
    """The row's `field` in `language` from its prefetched `shown` translations, else its own text."""
    for translation in getattr(row, "shown", []):
        if translation.language == language and getattr(translation, field):
            return str(getattr(translation, field))
    return str(getattr(row, field))


def _named(row: Any, language: str) -> dict[str, str]:
    return {"slug": row.slug, "name": _text(row, language, "name")}


def _shown(model: type[Any], language: str) -> Prefetch[Any]:
    return Prefetch("translations", queryset=model.objects.filter(language=language), to_attr="shown")


def choose(store: StoreSettings, lang: str | None, currency: str | None, accept_language: str) -> tuple[str, str]:
    """The language and currency of an answer: asked for (and offered), else the store's defaults."""
    languages = store.languages or [store.default_language]
    language = pick_language(lang, accept_language, languages, store.default_language)
    if language is None:
        raise LanguageNotOffered((lang or "")[:20], languages)
    currency = store.default_currency if currency is None else currency
    if currency not in (offered := offered_currencies(store)):
        raise CurrencyNotOffered(currency[:20], offered)
    return language, currency


class StorefrontView(APIView):
    """Anonymous (a token sent is not read), read-only; answers in the request's language and currency."""

    authentication_classes: Sequence[type[BaseAuthentication]] = ()
    permission_classes = [AllowAny]
    # A budget per client address; not the tenant's shared API budget, which shoppers reading cached pages would
    # spend for the store's staff and apps.
    throttle_classes = [UserThrottle]
    # The endpoint's name in cache keys; None: not cached.
    cached_as: ClassVar[str | None] = None
    # The query parameters that change the answer (the cache key's), besides lang and currency.
    parameters: ClassVar[tuple[str, ...]] = ()

    def get(self, request: Request, **kwargs: str) -> HttpResponse:
        state = storefront_state()
        store = state.settings
        language, currency = self.chosen(request, store)
        key = None
        if self.cached_as is not None:
            asked = [(name, value) for name in self.parameters for value in request.query_params.getlist(name)]
            asked += [(f"path:{name}", value) for name, value in kwargs.items()]
            asked.append(("origin", request.build_absolute_uri("/")))
            key = cache.page_key(state.version, self.cached_as, language, currency, asked)
            if "no-cache" not in request.headers.get("Cache-Control", ""):
                body = cache.get_page(key)
                if body is not None:
                    return self.respond(body, language, "hit")
        data = self.answer(request, store, language, currency, **kwargs)
        body = JSONRenderer().render(data)
        if key is not None:
            cache.store_page(key, body)
        return self.respond(body, language, "miss" if key is not None else None)

    def answer(self, request: Request, store: StoreSettings, language: str, currency: str, **kwargs: str) -> Any:
        raise NotImplementedError

    @staticmethod
    def chosen(request: Request, store: StoreSettings) -> tuple[str, str]:
        return choose(
            store,
            request.query_params.get("lang"),
            request.query_params.get("currency"),
            request.headers.get("Accept-Language", ""),
        )

    @staticmethod
    def respond(body: bytes, language: str, cache_state: str | None) -> HttpResponse:
        response = HttpResponse(body, content_type="application/json")
        response["Content-Language"] = language
        response["Vary"] = "Accept-Language"
        if cache_state is not None:
            response["X-Cache"] = cache_state
        return response


class StorefrontSettingsView(StorefrontView):
    @extend_schema(
        summary="The store's languages and currencies",
        description="What `lang` and `currency` may be on every storefront call.",
        responses={200: SettingsOut},
        tags=["storefront"],
    )
    def get(self, request: Request, **kwargs: str) -> HttpResponse:
        return super().get(request, **kwargs)

    def answer(self, request: Request, store: StoreSettings, language: str, currency: str, **kwargs: str) -> Any:
        return {
            "languages": store.languages or [store.default_language],
            "default_language": store.default_language,
            "currencies": offered_currencies(store),
            "default_currency": store.default_currency,
        }


class ProductListView(StorefrontView):
    cached_as = "products"
    parameters = (*ProductListQuery().fields, "cursor")

    @extend_schema(
        summary="List products for sale",
        operation_id="storefront_products_list",
        description="Published products with a price in the page's currency, filtered, sorted and in cursor pages "
        "(`page_size` 1 to 100). `q` searches names and descriptions in the page's language (PostgreSQL full text).",
        parameters=[ProductListQuery, LANG, CURRENCY, OpenApiParameter("cursor", str)],
        responses={
            200: ProductListOut,
            **problems("invalid", "language_not_offered", "currency_not_offered"),
        },
        tags=["storefront"],
    )
    def get(self, request: Request, **kwargs: str) -> HttpResponse:
        return super().get(request, **kwargs)

    def answer(self, request: Request, store: StoreSettings, language: str, currency: str, **kwargs: str) -> Any:
        form = ProductListQuery(data=_query_data(request))
        form.is_valid(raise_exception=True)
        asked = form.validated_data
        attributes: dict[str, list[str]] = {}
        for pair in asked.get("attr", []):
            attribute, value = pair.split(":", 1)
            attributes.setdefault(attribute, []).append(value)
        question = ProductQuery(
            language=language,
            currency=currency,
            category=_by_slug(Category.objects.all(), asked.get("category"), "category"),
            collection=_by_slug(Collection.objects.filter(published=True), asked.get("collection"), "collection"),
            attributes=attributes,
            price_min=asked.get("price_min"),
            price_max=asked.get("price_max"),
            in_stock=None if "in_stock" not in asked else asked["in_stock"] == "true",
            search=asked.get("q", "").strip(),
        )
        sort = asked.get("sort") or ("relevance" if question.search else "newest")
        paginator = StorefrontPage(sort)
        products = storefront_products(store, question)
        page = paginator.paginate_queryset(products, request, self) or []
        return paginator.get_paginated_response([card(product, currency) for product in page]).data


def _query_data(request: Request) -> dict[str, Any]:
    data: dict[str, Any] = {key: request.query_params.get(key) for key in request.query_params if key != "attr"}
    if "attr" in request.query_params:
        data["attr"] = request.query_params.getlist("attr")
    return data


def _by_slug(rows: QuerySet[Any], slug: str | None, field: str) -> Any:
    if slug is None:
        return None
    found = rows.filter(slug=slug).first()
    if found is None:
        raise serializers.ValidationError({field: [f"No {field} has the slug {slug!r}."]}, code="does_not_exist")
    return found


def card(product: Any, currency: str) -> dict[str, Any]:
    category = None
    if product.category_id is not None:
        category = {"slug": product.category.slug, "name": product.category_name}
    return {
        "slug": product.slug,
        "name": product.display_name,
        "category": category,
        "price": _money(product.price, currency),
        "availability": availability(product.units),
    }


class ProductPageView(StorefrontView):
    cached_as = "product"

    @extend_schema(
        summary="Read a product for sale",
        operation_id="storefront_product_retrieve",
        description="A published product by slug: its variants with their prices in the page's currency and "
        "availability, its category and collections.",
        parameters=[LANG, CURRENCY],
        responses={200: ProductPageOut, **problems("language_not_offered", "currency_not_offered")},
        tags=["storefront"],
    )
    def get(self, request: Request, **kwargs: str) -> HttpResponse:
        return super().get(request, **kwargs)

    def answer(self, request: Request, store: StoreSettings, language: str, currency: str, **kwargs: str) -> Any:
        return product_page(store, language, currency, kwargs["slug"])


def product_page(store: StoreSettings, language: str, currency: str, slug: str) -> dict[str, Any]:
    """A published product's page: its variants priced in `currency`, texts in `language` (NotFound: none)."""
    variants = ProductVariant.objects.order_by("pk").prefetch_related(
        "prices",
        "stocks",
        Prefetch(
            "attribute_values",
            queryset=AttributeValue.objects.select_related("attribute").prefetch_related(
                _shown(AttributeValueTranslation, language),
                Prefetch(
                    "attribute__translations",
                    queryset=AttributeTranslation.objects.filter(language=language),
                    to_attr="shown",
                ),
            ),
        ),
    )
    product = (
        Product.objects.filter(published=True, slug=slug)
        .select_related("category")
        .prefetch_related(
            Prefetch("variants", queryset=variants),
            _shown(ProductTranslation, language),
            Prefetch(
                "collections",
                queryset=Collection.objects.filter(published=True).prefetch_related(
                    _shown(CollectionTranslation, language)
                ),
            ),
            Prefetch(
                "category__translations",
                queryset=CategoryTranslation.objects.filter(language=language),
                to_attr="shown",
            ),
        )
        .first()
    )
    if product is None:
        raise NotFound("No product for sale has this slug.")
    rates = rates_provider(store)
    shown_variants: list[dict[str, Any]] = []
    for variant in product.variants.all():
        try:
            priced = price_of(variant, currency, store=store, rates=rates)
            price = _money(priced.amount, currency)
        except Exception:
            price = None
        units = sum(stock.quantity - stock.quantity_reserved for stock in variant.stocks.all())
        shown_variants.append(
            {
                "sku": variant.sku,
                "name": variant.name,
                "attributes": [
                    {
                        "attribute": {
                            "slug": value.attribute.slug,
                            "name": _text(value.attribute, language, "name"),
                        },
                        "value": {"slug": value.slug, "name": _text(value, language, "name")},
                    }
                    for value in variant.attribute_values.all()
                ],
                "price": price,
                "availability": availability(units),
                "_units": units,
            }
        )
    prices = [Decimal(v["price"]["amount"]) for v in shown_variants if v["price"] is not None]
    category = product.category
    return {
        "slug": product.slug,
        "name": _text(product, language, "name"),
        "description": _text(product, language, "description"),
        "category": None if category is None else {"slug": category.slug, "name": _text(category, language, "name")},
        "collections": [
            {"slug": collection.slug, "name": _text(collection, language, "name")}
            for collection in product.collections.all()
        ],
        "price": _money(min(prices), currency) if prices else None,
        "availability": availability(sum(v.pop("_units") for v in shown_variants)),
        "variants": shown_variants,
        "published_at": product.published_at.isoformat() if product.published_at else None,
    }


class CategoryTreeView(StorefrontView):
    cached_as = "categories"

    @extend_schema(
        summary="The category tree",
        description="Every category, nested under its parent, in the page's language.",
        parameters=[LANG, CURRENCY],
        responses={200: CategoryTreeOut, **problems("language_not_offered", "currency_not_offered")},
        tags=["storefront"],
    )
    def get(self, request: Request, **kwargs: str) -> HttpResponse:
        return super().get(request, **kwargs)

    def answer(self, request: Request, store: StoreSettings, language: str, currency: str, **kwargs: str) -> Any:
        return one_page(category_tree(language))


def category_tree(language: str) -> list[dict[str, Any]]:
    """Every category in `language`, nested under its parent."""
    categories = list(Category.objects.prefetch_related(_shown(CategoryTranslation, language)))
    nodes: dict[int, dict[str, Any]] = {
        category.pk: {
            "slug": category.slug,
            "name": _text(category, language, "name"),
            "description": _text(category, language, "description"),
            "children": [],
        }
        for category in categories
    }
    roots: list[dict[str, Any]] = []
    for category in categories:
        parent = nodes.get(category.parent_id) if category.parent_id else None
        (parent["children"] if parent is not None else roots).append(nodes[category.pk])
    return roots


class CollectionListView(StorefrontView):
    cached_as = "collections"

    @extend_schema(
        summary="The collections",
        description="Published collections, in the page's language.",
        parameters=[LANG, CURRENCY],
        responses={200: CollectionsOut, **problems("language_not_offered", "currency_not_offered")},
        tags=["storefront"],
    )
    def get(self, request: Request, **kwargs: str) -> HttpResponse:
        return super().get(request, **kwargs)

    def answer(self, request: Request, store: StoreSettings, language: str, currency: str, **kwargs: str) -> Any:
        collections = Collection.objects.filter(published=True).prefetch_related(
            _shown(CollectionTranslation, language)
        )
        return one_page(
            [
                {
                    "slug": collection.slug,
                    "name": _text(collection, language, "name"),
                    "description": _text(collection, language, "description"),
                }
                for collection in collections
            ]
        )


class SuggestionsView(StorefrontView):
    @extend_schema(
        summary="Suggest products as a shopper types",
        description=f"Up to {MAX_SUGGESTIONS} published products whose words start with the words typed, best first.",
        parameters=[SuggestionQuery, LANG],
        responses={200: SuggestionsOut, **problems("invalid", "language_not_offered")},
        tags=["storefront"],
    )
    def get(self, request: Request, **kwargs: str) -> HttpResponse:
        return super().get(request, **kwargs)

    def answer(self, request: Request, store: StoreSettings, language: str, currency: str, **kwargs: str) -> Any:
        form = SuggestionQuery(data={"q": request.query_params.get("q")} if "q" in request.query_params else {})
        form.is_valid(raise_exception=True)
        return one_page(suggestions(store, language, form.validated_data["q"]))
