"""Global search's contract: what every backend answers, fed through the search actions as the consumer does.

Runs against PostgreSQL always and against Elasticsearch when ELASTICSEARCH_URL is set (its
parametrisation is deselected otherwise, and the run's summary says so: see conftest).
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from pytest_django.fixtures import Settings as SettingsWrapper

from control_plane.search import actions, selectors
from control_plane.search.backends import get_backend
from control_plane.search.backends.base import SearchBackend, SearchPage, SearchQuery
from control_plane.search.models import ProductEntry, TenantEntry, TenantState

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


@pytest.fixture(params=["postgres", pytest.param("elasticsearch", marks=pytest.mark.elasticsearch)])
def backend(request: pytest.FixtureRequest, settings: SettingsWrapper) -> Iterator[SearchBackend]:
    settings.SEARCH_BACKEND = request.param
    if request.param == "elasticsearch":
        settings.ELASTICSEARCH_URL = os.environ["ELASTICSEARCH_URL"]
        settings.SEARCH_INDEX_PREFIX = f"test-search-{secrets.token_hex(4)}"
    chosen = get_backend()
    chosen.prepare()
    yield chosen
    chosen.clear()


def tenant_moves(slug: str, to_state: str, *, when: float, name: str | None = None) -> TenantEntry:
    data = {
        "name": name or f"{slug.title()} Store",
        "plan": "starter",
        "from_state": "provisioning",
        "to_state": to_state,
        "reason": "",
        "url": f"http://{slug}.localhost:8000/",
    }
    return actions.record_tenant_state(slug, data, event_time=at(when))


def product(
    product_id: str, name: str, description: str = "", amount: str = "10.00", currency: str = "EUR"
) -> dict[str, Any]:
    return {
        "product_id": product_id,
        "name": name,
        "description": description,
        "price": {"amount": amount, "currency": currency},
        "published": True,
        "published_at": T0.isoformat(),
    }


def publish(tenant: str, product_id: str, name: str, *, when: float = 10, **fields: str) -> ProductEntry | None:
    return actions.record_product(tenant, product(product_id, name, **fields), published=True, event_time=at(when))


def search(backend: SearchBackend, text: str, **options: Any) -> SearchPage:
    backend.flush()
    return selectors.search(SearchQuery(text, **options))


def found(backend: SearchBackend, text: str, **options: Any) -> list[tuple[str, str, str]]:
    """(kind, tenant, product id) of each hit, in rank order."""
    return [(hit.kind, hit.tenant.slug, hit.product_id) for hit in search(backend, text, **options).hits]


def suggested(backend: SearchBackend, text: str, limit: int = 10) -> list[tuple[str, str]]:
    backend.flush()
    return [(suggestion.kind, suggestion.text) for suggestion in selectors.autocomplete(text, limit)]


@pytest.fixture
def shop() -> str:
    """A ready tenant's slug."""
    slug = f"shop-{secrets.token_hex(3)}"
    tenant_moves(slug, "ready", when=0, name="Lisbon Coffee Roasters")
    return slug


def test_a_published_product_of_a_ready_tenant_is_found_with_its_words_marked(
    backend: SearchBackend, shop: str
) -> None:
    publish(shop, "1", "Dark Chocolate Bar", description="Single-origin dark chocolate from Ecuador.", amount="4.5")

    page = search(backend, "chocolate")

    assert page.match == "exact"
    [hit] = page.hits
    assert (hit.kind, hit.tenant.slug, hit.tenant.name, hit.product_id) == (
        "product",
        shop,
        "Lisbon Coffee Roasters",
        "1",
    )
    assert hit.tenant.url == f"http://{shop}.localhost:8000/"
    assert hit.name_html == "Dark <mark>Chocolate</mark> Bar"
    assert "<mark>chocolate</mark> from Ecuador" in hit.snippet_html
    assert hit.price == (Decimal("4.5"), "EUR")


def test_accents_and_word_forms_do_not_matter(backend: SearchBackend, shop: str) -> None:
    publish(shop, "1", "Crème Brûlée Kit", description="Ramekins and a torch")
    publish(shop, "2", "Trail Running Shoes")

    assert found(backend, "creme brulee") == [("product", shop, "1")]
    assert found(backend, "CRÈME") == [("product", shop, "1")]
    assert found(backend, "shoe run") == [("product", shop, "2")]


def test_a_match_in_the_name_ranks_above_one_in_the_description(backend: SearchBackend, shop: str) -> None:
    publish(shop, "described", "Gift Box", description="A box with a ceramic teapot, cups and a tray for your table.")
    publish(shop, "named", "Ceramic Teapot")

    assert [product_id for _, _, product_id in found(backend, "teapot")] == ["named", "described"]


def test_names_are_escaped_in_highlights(backend: SearchBackend, shop: str) -> None:
    publish(shop, "1", "<script>alert(1)</script> Green Tea & Honey")

    [hit] = search(backend, "green tea").hits

    assert hit.name_html == "&lt;script&gt;alert(1)&lt;/script&gt; <mark>Green</mark> <mark>Tea</mark> &amp; Honey"


def test_an_unpublished_product_is_gone_and_a_late_older_publication_does_not_bring_it_back(
    backend: SearchBackend, shop: str
) -> None:
    publish(shop, "1", "Linen Apron", when=10)
    actions.withdraw_product(shop, "1", event_time=at(20))
    assert found(backend, "apron") == []

    publish(shop, "1", "Linen Apron", when=15)  # redelivered late, older than the withdrawal

    assert found(backend, "apron") == []
    assert ProductEntry.objects.get(tenant=shop, product_id="1").source_time == at(20)


def test_a_withdrawal_that_overtakes_the_publication_wins(backend: SearchBackend, shop: str) -> None:
    actions.withdraw_product(shop, "7", event_time=at(30))
    publish(shop, "7", "Walnut Cutting Board", when=20)

    assert found(backend, "walnut") == []


def test_an_older_update_arriving_late_changes_nothing(backend: SearchBackend, shop: str) -> None:
    publish(shop, "1", "Wool Scarf", when=10)
    newer = product("1", "Cashmere Scarf")
    actions.record_product(shop, newer, published=True, event_time=at(30))
    older = product("1", "Cotton Scarf")
    actions.record_product(shop, older, published=True, event_time=at(20))

    assert found(backend, "cashmere") == [("product", shop, "1")]
    assert found(backend, "cotton") == []
    assert found(backend, "wool") == []


def test_an_update_that_says_unpublished_hides_the_product(backend: SearchBackend, shop: str) -> None:
    publish(shop, "1", "Copper Kettle", when=10)
    actions.record_product(
        shop, {**product("1", "Copper Kettle"), "published": False}, published=False, event_time=at(20)
    )

    assert found(backend, "kettle") == []


def test_products_show_only_while_their_tenant_is_ready(backend: SearchBackend) -> None:
    slug = f"late-{secrets.token_hex(3)}"
    publish(slug, "1", "Matcha Whisk", when=5)  # its products arrive before the tenant is known
    assert found(backend, "matcha") == []

    tenant_moves(slug, "ready", when=10)
    assert found(backend, "matcha") == [("product", slug, "1")]

    tenant_moves(slug, "suspended", when=20)
    assert found(backend, "matcha") == []
    publish(slug, "2", "Matcha Bowl", when=25)  # published while suspended
    assert found(backend, "matcha") == []

    tenant_moves(slug, "ready", when=30)
    assert sorted(found(backend, "matcha")) == [("product", slug, "1"), ("product", slug, "2")]


def test_a_late_older_tenant_event_does_not_undo_a_newer_one(backend: SearchBackend, shop: str) -> None:
    publish(shop, "1", "Olive Oil")
    tenant_moves(shop, "suspended", when=40)
    tenant_moves(shop, "ready", when=30)  # older than the suspension

    assert found(backend, "olive") == []
    assert TenantEntry.objects.get(slug=shop).state == TenantState.SUSPENDED


def test_a_deleted_tenant_leaves_nothing_behind_and_later_events_about_it_are_ignored(
    backend: SearchBackend, shop: str
) -> None:
    publish(shop, "1", "Bamboo Toothbrush")
    tenant_moves(shop, "deleting", when=50)
    tenant_moves(shop, "deleted", when=60)

    assert not ProductEntry.objects.filter(tenant=shop).exists()
    entry = TenantEntry.objects.get(slug=shop)
    assert (entry.state, entry.name, entry.url) == ("deleted", "", "")
    assert found(backend, "bamboo") == []
    assert found(backend, "lisbon roasters") == []

    assert publish(shop, "2", "Bamboo Brush", when=70) is None  # a straggler
    tenant_moves(shop, "ready", when=80)
    assert not ProductEntry.objects.filter(tenant=shop).exists()
    assert found(backend, "bamboo") == []


def test_the_directory_lists_ready_tenants(backend: SearchBackend, shop: str) -> None:
    other = f"other-{secrets.token_hex(3)}"
    tenant_moves(other, "ready", when=0, name="Oslo Coffee Collective")
    tenant_moves(other, "suspended", when=5, name="Oslo Coffee Collective")

    page = search(backend, "coffee", kind="tenant")

    assert [(hit.kind, hit.tenant.slug, hit.name_html) for hit in page.hits] == [
        ("tenant", shop, "Lisbon <mark>Coffee</mark> Roasters")
    ]


def test_kind_and_currency_narrow_the_results(backend: SearchBackend, shop: str) -> None:
    publish(shop, "eur", "Coffee Grinder", currency="EUR")
    publish(shop, "usd", "Coffee Beans", currency="USD")

    assert sorted(found(backend, "coffee")) == [
        ("product", shop, "eur"),
        ("product", shop, "usd"),
        ("tenant", shop, ""),
    ]
    assert sorted(found(backend, "coffee", kind="product")) == [("product", shop, "eur"), ("product", shop, "usd")]
    assert found(backend, "coffee", currency="USD") == [("product", shop, "usd")]


def test_a_typo_is_corrected_when_nothing_matches_exactly(backend: SearchBackend, shop: str) -> None:
    publish(shop, "1", "Lavender Soap")
    publish(shop, "2", "Lavender Candle")

    page = search(backend, "lavendr soap")

    assert page.match == "fuzzy"
    assert [hit.product_id for hit in page.hits] == ["1"]
    if backend.name == "postgres":
        assert page.corrected == "lavender soap"
    assert search(backend, "qwxzv").hits == []


def test_pages_follow_each_other_without_overlap(backend: SearchBackend, shop: str) -> None:
    for index in range(7):
        publish(shop, f"p{index}", f"Ceramic Mug {index}")

    first = search(backend, "mug", limit=3)
    second = search(backend, "mug", limit=3, offset=3)
    third = search(backend, "mug", limit=3, offset=6)

    ids = [hit.product_id for page in (first, second, third) for hit in page.hits]
    assert sorted(ids) == [f"p{index}" for index in range(7)]
    assert (first.has_more, second.has_more, third.has_more) == (True, True, False)


def test_autocomplete_completes_names_and_tenants_but_never_hidden_products(backend: SearchBackend, shop: str) -> None:
    publish(shop, "1", "Dark Chocolate Bar")
    publish(shop, "2", "Chocolate Truffles")
    publish(shop, "3", "Choco Cookies")
    actions.withdraw_product(shop, "3", event_time=at(20))
    hidden = f"hidden-{secrets.token_hex(3)}"
    publish(hidden, "1", "Chocolate Spread")  # its tenant is not ready

    assert suggested(backend, "choc") == [("product", "Chocolate Truffles"), ("product", "Dark Chocolate Bar")]
    assert suggested(backend, "dark cho") == [("product", "Dark Chocolate Bar")]
    assert suggested(backend, "lisb") == [("tenant", "Lisbon Coffee Roasters")]
    assert suggested(backend, "crème brû") == []  # nothing of that name here


def test_autocomplete_marks_the_typed_beginnings_and_folds_accents(backend: SearchBackend, shop: str) -> None:
    publish(shop, "1", "Crème Brûlée Kit")

    backend.flush()
    [suggestion] = selectors.autocomplete("creme bru", 5)

    assert suggestion.text == "Crème Brûlée Kit"
    assert suggestion.text_html == "<mark>Crème</mark> <mark>Brû</mark>lée Kit"
