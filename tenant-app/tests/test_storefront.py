"""The public storefront on a real tenant: anonymous reads of published products in the shopper's language and
currency, filters, sorting, cursor pages, full-text search and suggestions, and the Redis page cache that never
serves a committed change stale. Bad questions are 4xx problem details with exact codes."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tenant_app.catalog import actions, cache
from tenant_app.catalog.models import (
    CatalogVersion,
    Category,
    Product,
    ProductVariant,
    Stock,
    VariantPrice,
)
from tenant_app.tenancy.context import tenant_transaction
from tenantry_kernel.testing.problems import field_errors, problem

from .conftest import ShardTenant
from .shop import Store, error

LIST = "/api/v1/storefront/products/"


@dataclass
class Shop:
    """A store selling in EUR (default), USD (at its own rate 1.10) and JPY (the rates file), in English and German."""

    store: Store

    @property
    def route(self) -> Any:
        return self.store.tenant.route

    def get(self, path: str, params: dict[str, Any] | None = None, **headers: Any) -> Any:
        client = Client(HTTP_HOST=self.store.tenant.host, REMOTE_ADDR="10.9.8.7")
        return client.get(path, params or {}, **headers)

    def staff(self) -> Any:
        return self.store.user("manager")


def seed(store: Store) -> dict[str, Any]:
    """Coffee > Beans with three products, a grinder elsewhere, one unpublished product; sizes; German texts."""
    with tenant_transaction(store.tenant.route):
        manager = store.user("manager")
        actions.update_store_settings(
            None,
            manager,
            languages=["en", "de"],
            default_language="en",
            currencies=["EUR", "USD", "JPY"],
            default_currency="EUR",
            rate_overrides={"USD": "1.10"},
        )
        coffee = actions.create_category(None, manager, name="Coffee")
        beans = actions.create_category(None, manager, name="Beans", parent=coffee)
        tools = actions.create_category(None, manager, name="Tools")
        actions.set_translation(None, manager, beans, language="de", name="Bohnen")
        picks = actions.create_collection(None, manager, name="Staff picks")
        size = actions.create_attribute(None, manager, name="Size", values=["250 g", "1 kg"])
        small, large = list(size.values.order_by("position"))
        made = {}
        for name, description, category, amounts, stock in (
            ("Espresso beans", "Dark roasted beans for espresso.", beans, ("9.90", "29.90"), (3, 40)),
            ("Filter beans", "Light roasted beans for filter coffee.", beans, ("8.50", "24.00"), (0, 0)),
            ("Decaf beans", "Swiss water decaffeinated.", beans, ("11.00", "33.00"), (12, 0)),
            ("Hand grinder", "Ceramic burrs, runs smoothly.", tools, ("59.00", "59.00"), (2, 2)),
        ):
            product = actions.create_product(
                None,
                manager,
                name=name,
                description=description,
                price_amount=Decimal(amounts[0]),
                price_currency="EUR",
                category=category,
            )
            for value, amount, units in zip((small, large), amounts, stock, strict=True):
                variant = actions.create_variant(
                    None, manager, product, sku=f"{product.slug}-{value.slug}", attribute_values=[value]
                )
                actions.set_variant_price(None, manager, variant, currency="EUR", amount=Decimal(amount))
                actions.set_stock(None, manager, variant, location="main", quantity=units)
            actions.publish_product(None, manager, product)
            made[product.slug] = product
        actions.set_product_collections(None, manager, made["espresso-beans"], [picks])
        actions.set_product_collections(None, manager, made["hand-grinder"], [picks])
        actions.set_translation(
            None, manager, made["espresso-beans"], language="de", name="Espressobohnen", description=""
        )
        actions.set_translation(
            None, manager, made["decaf-beans"], language="de", description="Entkoffeinierte Kaffeebohnen."
        )
        hidden = actions.create_product(
            None, manager, name="Secret beans", price_amount=Decimal(1), price_currency="EUR", category=beans
        )
        variant = actions.create_variant(None, manager, hidden, sku="secret")
        actions.set_variant_price(None, manager, variant, currency="EUR", amount=Decimal("1.00"))
    return {"coffee": coffee, "beans": beans, "picks": picks, "products": made}


@pytest.fixture
def shop(shard: tuple[str, list[ShardTenant]]) -> Shop:
    store = Store(shard[1][0])
    seed(store)
    return Shop(store)


def names(response: Any) -> list[str]:
    assert response.status_code == 200, response.content
    return [card["name"] for card in response.json()["results"]]


# ---- Reading the catalog anonymously ------------------------------------------------------


def test_anyone_lists_published_products_with_their_lowest_price_in_the_stores_currency(shop: Shop) -> None:
    listed = shop.get(LIST)

    assert listed.status_code == 200
    assert listed["Content-Language"] == "en"
    cards = {card["slug"]: card for card in listed.json()["results"]}
    assert sorted(cards) == ["decaf-beans", "espresso-beans", "filter-beans", "hand-grinder"]  # not the secret
    assert cards["espresso-beans"] == {
        "slug": "espresso-beans",
        "name": "Espresso beans",
        "category": {"slug": "beans", "name": "Beans"},
        "price": {"amount": "9.90", "currency": "EUR"},
        "availability": {"status": "in_stock", "quantity": None},  # 43 units: no count shown
    }
    assert cards["hand-grinder"]["availability"] == {"status": "low_stock", "quantity": 4}
    assert cards["filter-beans"]["availability"] == {"status": "out_of_stock", "quantity": None}


def test_prices_come_in_the_shoppers_currency_converted_once_unless_the_variant_has_its_own(shop: Shop) -> None:
    with tenant_transaction(shop.route):
        large = ProductVariant.objects.get(sku="espresso-beans-1-kg")
        actions.set_variant_price(None, shop.staff(), large, currency="USD", amount=Decimal("30.00"))

    usd = shop.get("/api/v1/storefront/products/espresso-beans/", {"currency": "USD"}).json()
    jpy = shop.get(LIST, {"currency": "JPY", "sort": "price"}).json()["results"]

    # 9.90 EUR at the store's own rate 1.10 = 10.89 USD; the 1 kg bag's own USD price stands.
    assert [variant["price"] for variant in usd["variants"]] == [
        {"amount": "10.89", "currency": "USD"},
        {"amount": "30.00", "currency": "USD"},
    ]
    assert usd["price"] == {"amount": "10.89", "currency": "USD"}
    # The rates file: 1 EUR = 160 JPY, no decimals in yen.
    assert [(card["slug"], card["price"]["amount"]) for card in jpy] == [
        ("filter-beans", "1360"),
        ("espresso-beans", "1584"),
        ("decaf-beans", "1760"),
        ("hand-grinder", "9440"),
    ]


def test_a_product_page_shows_variants_with_attributes_prices_and_stock_buckets(shop: Shop) -> None:
    page = shop.get("/api/v1/storefront/products/espresso-beans/")

    assert page.status_code == 200
    body = page.json()
    assert (body["name"], body["description"]) == ("Espresso beans", "Dark roasted beans for espresso.")
    assert body["category"] == {"slug": "beans", "name": "Beans"}
    assert body["collections"] == [{"slug": "staff-picks", "name": "Staff picks"}]
    assert body["variants"] == [
        {
            "sku": "espresso-beans-250-g",
            "name": "",
            "attributes": [
                {"attribute": {"slug": "size", "name": "Size"}, "value": {"slug": "250-g", "name": "250 g"}}
            ],
            "price": {"amount": "9.90", "currency": "EUR"},
            "availability": {"status": "low_stock", "quantity": 3},
        },
        {
            "sku": "espresso-beans-1-kg",
            "name": "",
            "attributes": [{"attribute": {"slug": "size", "name": "Size"}, "value": {"slug": "1-kg", "name": "1 kg"}}],
            "price": {"amount": "29.90", "currency": "EUR"},
            "availability": {"status": "in_stock", "quantity": None},
        },
    ]
    assert error(shop.get("/api/v1/storefront/products/secret-beans/"))[:2] == (404, "not_found")
    assert error(shop.get("/api/v1/storefront/products/no-such-thing/"))[:2] == (404, "not_found")


def test_reserved_units_are_not_available(shop: Shop) -> None:
    with tenant_transaction(shop.route):
        Stock.objects.filter(variant__sku="hand-grinder-250-g").update(quantity_reserved=2)
        Stock.objects.filter(variant__sku="hand-grinder-1-kg").update(quantity_reserved=2)
        actions.update_category(None, shop.staff(), Category.objects.get(slug="tools"), position=5)  # a new version

    assert shop.get("/api/v1/storefront/products/hand-grinder/").json()["availability"] == {
        "status": "out_of_stock",
        "quantity": None,
    }


# ---- Languages ------------------------------------------------------------------------------


def test_lang_then_accept_language_pick_the_language_and_untranslated_fields_fall_back(shop: Shop) -> None:
    german = shop.get("/api/v1/storefront/products/espresso-beans/", {"lang": "de"})
    by_header = shop.get(LIST, HTTP_ACCEPT_LANGUAGE="fr-FR, de-CH;q=0.8, en;q=0.5")
    unknown_header = shop.get(LIST, HTTP_ACCEPT_LANGUAGE="fr, it")

    assert german["Content-Language"] == "de"
    # The name is translated; the empty German description falls back to the English one.
    assert (german.json()["name"], german.json()["description"]) == (
        "Espressobohnen",
        "Dark roasted beans for espresso.",
    )
    assert german.json()["category"] == {"slug": "beans", "name": "Bohnen"}
    assert by_header["Content-Language"] == "de"
    assert sorted(names(by_header)) == ["Decaf beans", "Espressobohnen", "Filter beans", "Hand grinder"]
    assert unknown_header["Content-Language"] == "en"


def test_languages_and_currencies_the_store_does_not_offer_are_refused(shop: Shop) -> None:
    for params, code in (
        ({"lang": "fr"}, "language_not_offered"),
        ({"lang": "klingon"}, "language_not_offered"),
        ({"currency": "GBP"}, "currency_not_offered"),
        ({"currency": "eur"}, "currency_not_offered"),
        ({"currency": "X" * 500}, "currency_not_offered"),
    ):
        answer = shop.get(LIST, params)
        assert error(answer)[:2] == (400, code), params
        assert problem(answer)["code"] == code

    page = shop.get("/api/v1/storefront/products/espresso-beans/", {"currency": "CHF"})
    assert error(page)[:2] == (400, "currency_not_offered")
    settings = shop.get("/api/v1/storefront/settings/").json()
    assert settings == {
        "languages": ["en", "de"],
        "default_language": "en",
        "currencies": ["EUR", "USD", "JPY"],
        "default_currency": "EUR",
    }


# ---- Filters, sorting, pages ------------------------------------------------------------------


def test_filters_by_category_and_below_collection_attribute_price_and_stock(shop: Shop) -> None:
    assert sorted(names(shop.get(LIST, {"category": "coffee"}))) == ["Decaf beans", "Espresso beans", "Filter beans"]
    assert sorted(names(shop.get(LIST, {"collection": "staff-picks"}))) == ["Espresso beans", "Hand grinder"]
    assert sorted(names(shop.get(LIST, {"price_min": "9", "price_max": "11.00"}))) == ["Decaf beans", "Espresso beans"]
    assert sorted(names(shop.get(LIST, {"in_stock": "true"}))) == ["Decaf beans", "Espresso beans", "Hand grinder"]
    assert names(shop.get(LIST, {"in_stock": "false"})) == ["Filter beans"]
    # In USD, 9.90 EUR is 10.89: outside a 9 to 10.50 range that it fell in as euros.
    assert names(shop.get(LIST, {"currency": "USD", "price_min": "9", "price_max": "10.50"})) == ["Filter beans"]
    with tenant_transaction(shop.route):
        colour = actions.create_attribute(None, shop.staff(), name="Colour", values=["Red"])
        variant = ProductVariant.objects.get(sku="hand-grinder-1-kg")
        actions.update_variant(
            None, shop.staff(), variant, attribute_values=[*variant.attribute_values.all(), colour.values.get()]
        )
    assert names(shop.get(LIST, {"attr": ["size:1-kg", "colour:red"]})) == ["Hand grinder"]
    assert len(names(shop.get(LIST, {"attr": ["size:1-kg", "size:250-g"]}))) == 4


def test_sorting_by_price_name_and_newest_with_cursor_pages(shop: Shop) -> None:
    by_price = names(shop.get(LIST, {"sort": "price"}))
    by_price_down = names(shop.get(LIST, {"sort": "-price"}))
    by_name = names(shop.get(LIST, {"sort": "name"}))
    newest = names(shop.get(LIST))

    assert by_price == ["Filter beans", "Espresso beans", "Decaf beans", "Hand grinder"]
    assert by_price_down == list(reversed(by_price))
    assert by_name == ["Decaf beans", "Espresso beans", "Filter beans", "Hand grinder"]
    assert newest == ["Hand grinder", "Decaf beans", "Filter beans", "Espresso beans"]
    # Pages of two, following `next` as given.
    first = shop.get(LIST, {"sort": "price", "page_size": "2"}).json()
    second = shop.get(first["next"].split("testserver")[-1].split(shop.store.tenant.host)[-1]).json()
    assert [card["name"] for card in first["results"] + second["results"]] == by_price
    assert second["next"] is None


def test_absurd_questions_are_400_with_the_field_named(shop: Shop) -> None:
    for params, pointer in (
        ({"page_size": "1000"}, "/page_size"),
        ({"page_size": "0"}, "/page_size"),
        ({"price_min": "cheap"}, "/price_min"),
        ({"price_min": "-1"}, "/price_min"),
        ({"price_max": "1e400"}, "/price_max"),
        ({"price_min": "20", "price_max": "10"}, "/price_max"),
        ({"sort": "popularity"}, "/sort"),
        ({"sort": "relevance"}, "/sort"),
        ({"in_stock": "maybe"}, "/in_stock"),
        ({"attr": "size"}, "/attr/0"),
        ({"category": "no-such-category"}, "/category"),
        ({"q": "x" * 201}, "/q"),
        ({"cursor": "not a cursor!"}, "/cursor"),
    ):
        answer = shop.get(LIST, params)
        assert answer.status_code == 400, (params, answer.content)
        assert error(answer)[:2] == (400, "invalid"), (params, answer.content)
        assert pointer in field_errors(answer), (params, field_errors(answer))


def test_a_forged_cursor_position_is_refused_not_crashed(shop: Shop) -> None:
    import base64
    from urllib.parse import urlencode

    for sort, position in (("price", "abc"), ("newest", "not-a-date"), ("price", "NaN")):
        cursor = base64.b64encode(urlencode({"o": 0, "r": 0, "p": position}).encode()).decode()
        answer = shop.get(LIST, {"sort": sort, "cursor": cursor})
        assert error(answer)[:2] == (400, "invalid"), (sort, position, answer.content)


def test_the_list_takes_the_same_queries_for_few_and_many_products(shop: Shop) -> None:
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert shop.get(LIST, {"lang": "de", "currency": "USD"}, HTTP_CACHE_CONTROL="no-cache").status_code == 200
        return len(captured)

    queries()  # the first request of a process also reads the tenant's route and policies
    few = queries()
    with tenant_transaction(shop.route):
        beans = Category.objects.get(slug="beans")
        published_at = Product.objects.get(slug="decaf-beans").published_at
        products = Product.objects.bulk_create(
            Product(
                name=f"p{n}",
                slug=f"p{n}",
                price_amount=1,
                price_currency="EUR",
                category=beans,
                published=True,
                published_at=published_at,
            )
            for n in range(30)
        )
        variants = ProductVariant.objects.bulk_create(
            ProductVariant(product=product, sku=f"p{product.pk}") for product in products
        )
        VariantPrice.objects.bulk_create(
            VariantPrice(variant=variant, currency="EUR", amount=Decimal(7)) for variant in variants
        )
        Stock.objects.bulk_create(Stock(variant=variant, location="main", quantity=9) for variant in variants)
    assert len(names(shop.get(LIST, {"page_size": "100"}, HTTP_CACHE_CONTROL="no-cache"))) == 34
    assert queries() == few


# ---- Search -------------------------------------------------------------------------------------


def test_full_text_search_stems_in_the_pages_language(shop: Shop) -> None:
    # English stemming: "roast" finds "roasted", ranked by where it is found.
    assert sorted(names(shop.get(LIST, {"q": "roast"}))) == ["Espresso beans", "Filter beans"]
    assert names(shop.get(LIST, {"q": "grinders"})) == ["Hand grinder"]
    assert names(shop.get(LIST, {"q": "espresso -dark"})) == []
    # German stemming on the German text: "Kaffeebohne" finds "Kaffeebohnen" in the decaf's German description.
    assert names(shop.get(LIST, {"q": "kaffeebohne", "lang": "de"})) == ["Decaf beans"]
    assert names(shop.get(LIST, {"q": "kaffeebohne"})) == []  # not in the English texts
    assert names(shop.get(LIST, {"q": "secret"})) == []  # unpublished


def test_autocomplete_suggests_at_most_ten_products_by_word_prefixes(shop: Shop) -> None:
    with tenant_transaction(shop.route):
        Product.objects.bulk_create(
            Product(
                name=f"Bean bag {n}",
                slug=f"bag-{n}",
                price_amount=1,
                price_currency="EUR",
                published=True,
                published_at=ProductVariant.objects.first().created_at,  # type: ignore[union-attr]  # seeded above
            )
            for n in range(15)
        )

    espr = shop.get("/api/v1/storefront/autocomplete/", {"q": "espr"})
    both = shop.get("/api/v1/storefront/autocomplete/", {"q": "hand gri"})
    many = shop.get("/api/v1/storefront/autocomplete/", {"q": "bea"})
    german = shop.get("/api/v1/storefront/autocomplete/", {"q": "espressob", "lang": "de"})

    assert espr.json()["results"] == [{"slug": "espresso-beans", "name": "Espresso beans"}]
    assert both.json()["results"] == [{"slug": "hand-grinder", "name": "Hand grinder"}]
    assert len(many.json()["results"]) == 10
    assert german.json()["results"] == [{"slug": "espresso-beans", "name": "Espressobohnen"}]
    assert error(shop.get("/api/v1/storefront/autocomplete/"))[:2] == (400, "invalid")
    assert shop.get("/api/v1/storefront/autocomplete/", {"q": "&|!:*"}).json()["results"] == []


# ---- Categories and collections ----------------------------------------------------------------


def test_categories_come_as_a_tree_and_collections_as_a_list_in_the_language(shop: Shop) -> None:
    tree = shop.get("/api/v1/storefront/categories/", {"lang": "de"}).json()["results"]
    collections = shop.get("/api/v1/storefront/collections/").json()["results"]

    assert [(node["slug"], [child["name"] for child in node["children"]]) for node in tree] == [
        ("coffee", ["Bohnen"]),
        ("tools", []),
    ]
    assert collections == [{"slug": "staff-picks", "name": "Staff picks", "description": ""}]


# ---- The cache -----------------------------------------------------------------------------------


def test_a_price_update_is_never_served_stale_once_committed(shop: Shop) -> None:
    first = shop.get(LIST, {"sort": "price"})
    again = shop.get(LIST, {"sort": "price"})
    page = shop.get("/api/v1/storefront/products/filter-beans/")
    assert (first["X-Cache"], again["X-Cache"], again.content) == ("miss", "hit", first.content)
    assert shop.get("/api/v1/storefront/products/filter-beans/")["X-Cache"] == "hit"

    # When the price changes through the staff API (its transaction commits before the answer)
    with tenant_transaction(shop.route):
        variant_id = ProductVariant.objects.get(sku="filter-beans-250-g").pk
    changed = shop.store.call("manager", "put", f"/api/v1/variants/{variant_id}/prices/EUR/", {"amount": "7.25"})
    assert changed.status_code == 200, changed.content

    # Then the very next reads show it
    after = shop.get(LIST, {"sort": "price"})
    page_after = shop.get("/api/v1/storefront/products/filter-beans/")
    assert after["X-Cache"] == "miss"
    assert after.json()["results"][0]["price"] == {"amount": "7.25", "currency": "EUR"}
    assert page.json()["variants"][0]["price"]["amount"] == "8.50"
    assert page_after.json()["variants"][0]["price"]["amount"] == "7.25"


def test_pages_are_cached_per_language_currency_and_tenant(shard: tuple[str, list[ShardTenant]], shop: Shop) -> None:
    other = Shop(Store(shard[1][1]))
    seed(other.store)
    with tenant_transaction(other.route):
        variant = ProductVariant.objects.get(sku="filter-beans-250-g")
        actions.set_variant_price(None, other.staff(), variant, currency="EUR", amount=Decimal("1.00"))

    mine = shop.get(LIST, {"sort": "price"})
    theirs = other.get(LIST, {"sort": "price"})
    in_usd = shop.get(LIST, {"sort": "price", "currency": "USD"})
    in_german = shop.get(LIST, {"sort": "price", "lang": "de"})

    assert [answer["X-Cache"] for answer in (mine, theirs, in_usd, in_german)] == ["miss"] * 4
    assert mine.json()["results"][0]["price"]["amount"] == "8.50"
    assert theirs.json()["results"][0]["price"]["amount"] == "1.00"
    assert in_usd.json()["results"][0]["price"]["currency"] == "USD"
    assert "Espressobohnen" in names(in_german)


def test_the_consumer_of_catalog_events_deletes_superseded_pages(shop: Shop) -> None:
    shop.get(LIST)
    shop.get("/api/v1/storefront/categories/")
    with tenant_transaction(shop.route):
        version = CatalogVersion.objects.get().version
        actions.update_category(None, shop.staff(), Category.objects.get(slug="tools"), name="Gear")
    shop.get(LIST)  # a page of the new version

    with tenant_transaction(shop.route):
        from django.core.cache import cache as django_cache

        from tenant_app.catalog.consumers import on_catalog_changed

        listed_before = cache.listed_keys()
        on_catalog_changed(None)  # type: ignore[arg-type]  # the handler reads nothing of the event
        listed_after = cache.listed_keys()
        old_left = [key for key in listed_after if cache.version_of(key) <= version]
        assert len(listed_before) == 3
        assert old_left == []
        assert [cache.version_of(key) for key in listed_after] == [version + 1]
        assert django_cache.get(next(iter(listed_after))) is not None


# ---- Staff changes: authorized, evented, audited -------------------------------------------------


def test_each_staff_change_counts_a_version_emits_catalog_changed_and_is_audited(shop: Shop) -> None:
    with tenant_transaction(shop.route):
        variant = ProductVariant.objects.get(sku="decaf-beans-250-g")
        coffee = Category.objects.get(slug="coffee")
        before = CatalogVersion.objects.get().version
    events_before = len(shop.store.outbox())

    answers = [
        shop.store.call("manager", "put", f"/api/v1/variants/{variant.pk}/stock/main/", {"quantity": 20}),
        shop.store.call("manager", "put", f"/api/v1/variants/{variant.pk}/prices/USD/", {"amount": "12.00"}),
        shop.store.call("manager", "put", f"/api/v1/variants/{variant.pk}/prices/USD/", {"amount": "12.00"}),  # same
        shop.store.call("manager", "patch", f"/api/v1/variants/{variant.pk}/", {"name": "Small bag"}),
        shop.store.call(
            "manager",
            "put",
            f"/api/v1/translations/categories/{coffee.pk}/de/",
            {"name": "Kaffee"},
        ),
    ]

    assert [answer.status_code for answer in answers] == [200, 200, 200, 200, 200], [a.content for a in answers]
    new_events = shop.store.outbox()[events_before:]
    assert [(event["type"], event["data"]["kind"], event["data"]["change"]) for event in new_events] == [
        ("catalog.changed", "stock", "updated"),
        ("catalog.changed", "price", "created"),
        ("catalog.changed", "variant", "updated"),
        ("catalog.changed", "translation", "created"),
    ]
    assert [event["data"]["version"] for event in new_events] == [before + 1, before + 2, before + 3, before + 4]
    assert answers[1].json()["prices"] == [
        {"amount": "11.00", "currency": "EUR"},
        {"amount": "12.00", "currency": "USD"},
    ]


def test_customers_and_strangers_cannot_change_the_catalog(shop: Shop) -> None:
    with tenant_transaction(shop.route):
        variant = ProductVariant.objects.get(sku="decaf-beans-250-g")
    for who in ("customer", None):
        for method, path, body in (
            ("put", f"/api/v1/variants/{variant.pk}/prices/EUR/", {"amount": "1.00"}),
            ("put", f"/api/v1/variants/{variant.pk}/stock/main/", {"quantity": 1}),
            ("post", "/api/v1/categories/", {"name": "Hijack"}),
            ("patch", "/api/v1/store-settings/", {"currencies": ["EUR", "GBP"]}),
        ):
            answer = shop.store.call(who, method, path, body)
            assert error(answer)[:2] == ((403, "forbidden") if who else (401, "not_authenticated")), (who, path)
    # Staff may update products but not the store's settings.
    assert error(shop.store.call("staff", "patch", "/api/v1/store-settings/", {"currencies": ["EUR"]}))[:2] == (
        403,
        "forbidden",
    )


def test_staff_input_the_catalog_refuses_is_a_400_and_changes_nothing(shop: Shop) -> None:
    with tenant_transaction(shop.route):
        variant = ProductVariant.objects.get(sku="decaf-beans-250-g")
        Stock.objects.filter(variant=variant).update(quantity_reserved=5)
        version = CatalogVersion.objects.get().version
    path, product = f"/api/v1/variants/{variant.pk}", variant.product_id

    cases = [
        (shop.store.call("manager", "put", f"{path}/prices/EUR/", {"amount": "1.005"}), "invalid", "/amount"),
        (shop.store.call("manager", "put", f"{path}/prices/JPY/", {"amount": "100.5"}), "invalid", "/amount"),
        (shop.store.call("manager", "put", f"{path}/prices/GBP/", {"amount": "1.00"}), "currency_not_offered", None),
        (shop.store.call("manager", "put", f"{path}/stock/main/", {"quantity": 4}), "invalid", "/quantity"),
        (shop.store.call("manager", "put", f"{path}/stock/main/", {"quantity": -1}), "invalid", "/quantity"),
        (
            shop.store.call("manager", "post", f"/api/v1/products/{product}/variants/", {"sku": variant.sku}),
            "invalid",
            "/sku",
        ),
        (
            shop.store.call("manager", "put", f"/api/v1/translations/products/{variant.product_id}/fr/", {"name": "X"}),
            "language_not_offered",
            None,
        ),
        (
            shop.store.call("manager", "patch", "/api/v1/store-settings/", {"default_currency": "GBP"}),
            "invalid",
            "/default_currency",
        ),
        (
            shop.store.call("manager", "patch", "/api/v1/store-settings/", {"languages": ["xx"]}),
            "invalid",
            "/languages/0",
        ),
        (
            shop.store.call("manager", "patch", "/api/v1/store-settings/", {"rate_overrides": {"USD": "-2"}}),
            "invalid",
            "/rate_overrides/USD",
        ),
    ]
    for answer, code, pointer in cases:
        assert error(answer)[:2] == (400, code), answer.content
        if pointer:
            assert pointer in field_errors(answer), field_errors(answer)
    with tenant_transaction(shop.route):
        assert CatalogVersion.objects.get().version == version
        assert Stock.objects.get(variant=variant).quantity == 12


def test_a_category_cannot_sit_under_itself(shop: Shop) -> None:
    with tenant_transaction(shop.route):
        coffee, beans = Category.objects.get(slug="coffee"), Category.objects.get(slug="beans")

    loop = shop.store.call("manager", "patch", f"/api/v1/categories/{coffee.pk}/", {"parent": "beans"})
    moved = shop.store.call("manager", "patch", f"/api/v1/categories/{beans.pk}/", {"parent": None})

    assert error(loop)[:2] == (400, "invalid")
    assert "/parent" in field_errors(loop)
    assert (moved.status_code, moved.json()["parent"]) == (200, None)
    assert [node["slug"] for node in shop.get("/api/v1/storefront/categories/").json()["results"]] == [
        "coffee",
        "beans",
        "tools",
    ]


# ---- GraphQL -----------------------------------------------------------------------------------

STOREFRONT_QUERY = """
query($lang: String, $currency: String) {
  storefrontProducts(lang: $lang, currency: $currency, category: "coffee", sort: "price", first: 2) {
    slug name price { amount currency } availability { status quantity } category { slug name }
  }
  storefrontProduct(slug: "espresso-beans", lang: $lang, currency: $currency) {
    name description variants { sku price { amount currency } availability { status quantity }
                                attributes { attribute { name } value { name } } }
  }
  storefrontCategories(lang: $lang) { slug name children { slug name } }
  storefrontSuggestions(q: "espr", lang: $lang) { slug name }
}
"""


def graphql(shop: Shop, query: str, **variables: Any) -> Any:
    client = Client(HTTP_HOST=shop.store.tenant.host, REMOTE_ADDR="10.9.8.7")
    answer = client.post("/graphql/", {"query": query, "variables": variables}, content_type="application/json")
    assert answer.status_code == 200, answer.content
    return answer.json()


def test_graphql_answers_the_storefront_anonymously_as_rest_does(shop: Shop) -> None:
    data = graphql(shop, STOREFRONT_QUERY, lang="de", currency="USD")["data"]

    assert data["storefrontProducts"] == [
        {
            "slug": "filter-beans",
            "name": "Filter beans",
            "price": {"amount": "9.35", "currency": "USD"},  # 8.50 EUR at 1.10
            "availability": {"status": "out_of_stock", "quantity": None},
            "category": {"slug": "beans", "name": "Bohnen"},
        },
        {
            "slug": "espresso-beans",
            "name": "Espressobohnen",
            "price": {"amount": "10.89", "currency": "USD"},
            "availability": {"status": "in_stock", "quantity": None},
            "category": {"slug": "beans", "name": "Bohnen"},
        },
    ]
    rest = shop.get("/api/v1/storefront/products/espresso-beans/", {"lang": "de", "currency": "USD"}).json()
    page = data["storefrontProduct"]
    assert (page["name"], page["description"]) == (rest["name"], rest["description"])
    assert [(v["sku"], v["price"], v["availability"]) for v in page["variants"]] == [
        (v["sku"], v["price"], v["availability"]) for v in rest["variants"]
    ]
    assert data["storefrontCategories"] == [
        {"slug": "coffee", "name": "Coffee", "children": [{"slug": "beans", "name": "Bohnen"}]},
        {"slug": "tools", "name": "Tools", "children": []},
    ]
    assert data["storefrontSuggestions"] == [{"slug": "espresso-beans", "name": "Espressobohnen"}]


def test_graphql_refuses_what_the_store_does_not_offer_with_the_same_codes(shop: Shop) -> None:
    refused = graphql(shop, STOREFRONT_QUERY, lang="fr", currency="EUR")
    wrong_currency = graphql(shop, '{ storefrontProducts(currency: "GBP") { slug } }')
    too_many = graphql(shop, "{ storefrontProducts(first: 1000) { slug } }")

    assert {error["extensions"]["reason"] for error in refused["errors"]} == {"language_not_offered"}
    assert [error["extensions"]["reason"] for error in wrong_currency["errors"]] == ["currency_not_offered"]
    assert [error["extensions"]["reason"] for error in too_many["errors"]] == ["invalid"]
