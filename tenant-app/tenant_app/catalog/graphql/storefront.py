"""The public storefront in GraphQL: the same answers as REST's /api/v1/storefront/ (anonymous, published products,
in the asked or Accept-Language language and the asked or default currency), built by the same functions."""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry import Info

from tenant_app.catalog.api.storefront import (
    MAX_PAGE_SIZE,
    SORTS,
    card,
    category_tree,
    choose,
    product_page,
)
from tenant_app.catalog.errors import CatalogProblem
from tenant_app.catalog.models import Category, Collection, StoreSettings
from tenant_app.catalog.selectors import ProductQuery, storefront_products, storefront_state, suggestions


@strawberry.type(name="StorefrontMoney", description="An amount (decimal string in the minor unit) and currency.")
class StorefrontMoney:
    amount: str
    currency: str


@strawberry.type(name="StorefrontAvailability", description="in_stock, low_stock (with the count) or out_of_stock.")
class StorefrontAvailability:
    status: str
    quantity: int | None


@strawberry.type(name="StorefrontNamed")
class StorefrontNamed:
    slug: str
    name: str


@strawberry.type(name="StorefrontProductCard")
class StorefrontProductCard:
    slug: str
    name: str
    category: StorefrontNamed | None
    price: StorefrontMoney
    availability: StorefrontAvailability


@strawberry.type(name="StorefrontVariantAttribute")
class StorefrontVariantAttribute:
    attribute: StorefrontNamed
    value: StorefrontNamed


@strawberry.type(name="StorefrontVariant")
class StorefrontVariant:
    sku: str
    name: str
    attributes: list[StorefrontVariantAttribute]
    price: StorefrontMoney | None
    availability: StorefrontAvailability


@strawberry.type(name="StorefrontProduct")
class StorefrontProduct:
    slug: str
    name: str
    description: str
    category: StorefrontNamed | None
    collections: list[StorefrontNamed]
    price: StorefrontMoney | None
    availability: StorefrontAvailability
    variants: list[StorefrontVariant]
    published_at: str | None


@strawberry.type(name="StorefrontCategory")
class StorefrontCategory:
    slug: str
    name: str
    description: str
    children: list[StorefrontCategory]


def _named(data: dict[str, Any] | None) -> StorefrontNamed | None:
    return None if data is None else StorefrontNamed(slug=data["slug"], name=data["name"])


def _money(data: dict[str, Any] | None) -> StorefrontMoney | None:
    return None if data is None else StorefrontMoney(amount=data["amount"], currency=data["currency"])


def _availability(data: dict[str, Any]) -> StorefrontAvailability:
    return StorefrontAvailability(status=data["status"], quantity=data["quantity"])


def _category(data: dict[str, Any]) -> StorefrontCategory:
    children = [_category(child) for child in data["children"]]
    return StorefrontCategory(slug=data["slug"], name=data["name"], description=data["description"], children=children)


def _asked(info: Info[Any, Any], lang: str | None, currency: str | None) -> tuple[StoreSettings, str, str]:
    store = storefront_state().settings
    accept = info.context.request.headers.get("Accept-Language", "")
    language, chosen_currency = choose(store, lang, currency, accept)
    return store, language, chosen_currency


def _by_slug(model: type[Any], slug: str | None, what: str) -> Any:
    if slug is None:
        return None
    found = model.objects.filter(slug=slug).first()
    if found is None:
        raise CatalogProblem(f"No {what} has the slug {slug!r}.", "not_found")
    return found


def resolve_storefront_products(
    info: Info[Any, Any],
    lang: str | None = None,
    currency: str | None = None,
    category: str | None = None,
    collection: str | None = None,
    search: str | None = None,
    sort: str = "newest",
    first: int = 24,
) -> list[StorefrontProductCard]:
    store, language, chosen = _asked(info, lang, currency)
    if sort not in SORTS or (sort == "relevance" and not search):
        raise CatalogProblem(f"sort is one of {', '.join(SORTS)} (relevance with a search).", "invalid")
    if not 1 <= first <= MAX_PAGE_SIZE:
        raise CatalogProblem(f"first is 1 to {MAX_PAGE_SIZE}.", "invalid")
    if search is not None and len(search) > 200:
        raise CatalogProblem("search is at most 200 characters.", "invalid")
    question = ProductQuery(
        language=language,
        currency=chosen,
        category=_by_slug(Category, category, "category"),
        collection=_by_slug(Collection, collection, "collection"),
        search=(search or "").strip(),
    )
    rows = storefront_products(store, question).order_by(*SORTS[sort])[:first]
    cards = [card(row, chosen) for row in rows]
    return [
        StorefrontProductCard(
            slug=data["slug"],
            name=data["name"],
            category=_named(data["category"]),
            price=StorefrontMoney(**data["price"]),
            availability=_availability(data["availability"]),
        )
        for data in cards
    ]


def resolve_storefront_product(
    info: Info[Any, Any], slug: str, lang: str | None = None, currency: str | None = None
) -> StorefrontProduct:
    store, language, chosen = _asked(info, lang, currency)
    data = product_page(store, language, chosen, slug)
    return StorefrontProduct(
        slug=data["slug"],
        name=data["name"],
        description=data["description"],
        category=_named(data["category"]),
        collections=[StorefrontNamed(**named) for named in data["collections"]],
        price=_money(data["price"]),
        availability=_availability(data["availability"]),
        variants=[
            StorefrontVariant(
                sku=variant["sku"],
                name=variant["name"],
                attributes=[
                    StorefrontVariantAttribute(
                        attribute=StorefrontNamed(**pair["attribute"]), value=StorefrontNamed(**pair["value"])
                    )
                    for pair in variant["attributes"]
                ],
                price=_money(variant["price"]),
                availability=_availability(variant["availability"]),
            )
            for variant in data["variants"]
        ],
        published_at=data["published_at"],
    )


def resolve_storefront_categories(info: Info[Any, Any], lang: str | None = None) -> list[StorefrontCategory]:
    _, language, _ = _asked(info, lang, None)
    return [_category(node) for node in category_tree(language)]


def resolve_storefront_suggestions(info: Info[Any, Any], q: str, lang: str | None = None) -> list[StorefrontNamed]:
    store, language, _ = _asked(info, lang, None)
    if len(q) > 100:
        raise CatalogProblem("q is at most 100 characters.", "invalid")
    return [StorefrontNamed(**found) for found in suggestions(store, language, q)]


@strawberry.type
class StorefrontQuery:
    storefront_products: list[StorefrontProductCard] = strawberry.field(
        resolver=resolve_storefront_products,
        description=f"Published products for sale, anonymously: the first `first` (1 to {MAX_PAGE_SIZE}) by `sort` "
        "(newest, price, -price, name, -name, relevance); REST's storefront list pages further.",
    )
    storefront_product = strawberry.field(
        resolver=resolve_storefront_product, description="A published product by slug, with its variants."
    )
    storefront_categories = strawberry.field(
        resolver=resolve_storefront_categories, description="The category tree, in the asked language."
    )
    storefront_suggestions = strawberry.field(
        resolver=resolve_storefront_suggestions,
        description="Up to 10 published products whose words start with the words typed.",
    )
