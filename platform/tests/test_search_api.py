"""The public search API: answers, pages, clear 400s, a budget per IP, and a fixed number of queries."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from pytest_django.fixtures import Settings as SettingsWrapper
from rest_framework.test import APIClient

from control_plane.search import actions
from tenantry_kernel.testing.problems import field_errors, problem

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
SEARCH = "/api/v1/search/"
AUTOCOMPLETE = "/api/v1/search/autocomplete/"


@pytest.fixture
def anonymous() -> APIClient:
    """A client from an address of its own, so budgets spent by other tests do not count."""
    return APIClient(REMOTE_ADDR=f"10.{secrets.randbelow(250)}.{secrets.randbelow(250)}.{secrets.randbelow(250)}")


@pytest.fixture
def shop() -> str:
    slug = f"shop-{secrets.token_hex(3)}"
    data = {"name": "Kyoto Tea House", "plan": "growth", "from_state": "provisioning", "to_state": "ready",
            "reason": "", "url": f"http://{slug}.localhost:8000/"}  # fmt: skip
    actions.record_tenant_state(slug, data, event_time=T0)
    return slug


@pytest.fixture
def publish(shop: str) -> Callable[..., None]:
    def make(product_id: str, name: str, description: str = "", amount: str = "12.5", currency: str = "JPY") -> None:
        data = {"product_id": product_id, "name": name, "description": description,
                "price": {"amount": amount, "currency": currency}, "published": True,
                "published_at": T0.isoformat()}  # fmt: skip
        actions.record_product(shop, data, published=True, event_time=T0 + timedelta(seconds=1))

    return make


def test_search_answers_products_and_tenants_with_highlights(
    anonymous: APIClient, shop: str, publish: Callable[..., None]
) -> None:
    publish("41", "Sencha Green Tea", "Spring harvest <b>sencha</b> from Shizuoka.", amount="1800")

    response = anonymous.get(SEARCH, {"q": "sencha", "kind": "product"})

    assert response.status_code == 200
    body = response.json()
    assert body["query"] == "sencha"
    assert body["match"] == "exact"
    assert body["corrected_query"] is None
    assert body["next"] is None
    [hit] = body["results"]
    assert hit["kind"] == "product"
    assert hit["id"] == "41"
    assert hit["name"] == "Sencha Green Tea"
    assert hit["name_html"] == "<mark>Sencha</mark> Green Tea"
    assert hit["snippet_html"] == "Spring harvest <mark>sencha</mark> from Shizuoka"  # markup dropped
    assert hit["price"] == {"amount": "1800.00", "currency": "JPY"}
    assert hit["tenant"] == {"slug": shop, "name": "Kyoto Tea House", "url": f"http://{shop}.localhost:8000/"}
    assert isinstance(hit["score"], float)


def test_next_links_walk_every_result_once(anonymous: APIClient, publish: Callable[..., None]) -> None:
    for index in range(5):
        publish(str(index), f"Hojicha Blend {index}")

    seen: list[str] = []
    bodies: list[dict[str, Any]] = []
    url: str | None = f"{SEARCH}?q=hojicha&limit=2"
    while url:
        bodies.append(anonymous.get(url).json())
        seen += [hit["id"] for hit in bodies[-1]["results"]]
        url = bodies[-1]["next"]

    assert len(bodies) == 3
    assert sorted(seen) == ["0", "1", "2", "3", "4"]
    # The shape of every list: `previous` walks back, null on the first page.
    assert bodies[0]["previous"] is None
    back = anonymous.get(bodies[2]["previous"]).json()
    assert [hit["id"] for hit in back["results"]] == [hit["id"] for hit in bodies[1]["results"]]


def test_a_typo_answers_the_corrected_query(anonymous: APIClient, publish: Callable[..., None]) -> None:
    publish("1", "Genmaicha Roasted Rice Tea")

    body = anonymous.get(SEARCH, {"q": "genmacha"}).json()

    assert body["match"] == "fuzzy"
    assert body["corrected_query"] == "genmaicha"
    assert [hit["id"] for hit in body["results"]] == ["1"]


@pytest.mark.parametrize(
    ("params", "fields"),
    [
        ({}, {"/q": ["Give the text to search for in q."]}),
        ({"q": ""}, {"/q": ["q is empty; give 1 to 200 characters to search for."]}),
        ({"q": "t" * 201}, {"/q": ["q is too long: at most 200 characters."]}),
        ({"q": "tea", "kind": "shop"}, {"/kind": ["kind is 'shop'; use product or tenant, or leave it out for both."]}),
        (
            {"q": "tea", "currency": "eur"},
            {"/currency": ["currency must be an ISO 4217 code in three capital letters, such as EUR."]},
        ),
        (
            {"q": "tea", "currency": "EUR", "kind": "tenant"},
            {"/currency": ["currency filters products; leave it out to search tenants, or use kind=product."]},
        ),
        ({"q": "tea", "limit": "500"}, {"/limit": ["Ensure this value is less than or equal to 50."]}),
        (
            {"q": "tea", "cursor": "forged"},
            {"/cursor": ["This cursor is invalid; follow a `next` or `previous` link as it was given."]},
        ),
    ],
)
def test_bad_search_parameters_get_a_400_naming_the_field(
    anonymous: APIClient, params: dict[str, str], fields: dict[str, list[str]]
) -> None:
    response = anonymous.get(SEARCH, params)

    assert response.status_code == 400
    assert problem(response) == {"code": "invalid", "detail": "Some fields are invalid; see errors.", "errors": fields}


def test_bad_autocomplete_input_gets_a_400(anonymous: APIClient) -> None:
    missing = anonymous.get(AUTOCOMPLETE)
    too_long = anonymous.get(AUTOCOMPLETE, {"q": "m" * 101})

    assert missing.status_code == too_long.status_code == 400
    assert field_errors(missing) == {"/q": ["Give the text to complete in q."]}
    assert field_errors(too_long) == {"/q": ["q is too long: at most 100 characters."]}


def test_autocomplete_answers_with_the_typed_part_marked(
    anonymous: APIClient, shop: str, publish: Callable[..., None]
) -> None:
    publish("1", "Matcha Whisk")

    response = anonymous.get(AUTOCOMPLETE, {"q": "mat"})

    assert response.status_code == 200
    assert response.json() == {
        "query": "mat",
        "suggestions": [{"kind": "product", "text": "Matcha Whisk", "text_html": "<mark>Mat</mark>cha Whisk"}],
    }
    tenant = anonymous.get(AUTOCOMPLETE, {"q": "kyo"}).json()["suggestions"]
    assert tenant == [
        {"kind": "tenant", "text": "Kyoto Tea House", "text_html": "<mark>Kyo</mark>to Tea House",
         "tenant": {"slug": shop, "name": "Kyoto Tea House", "url": f"http://{shop}.localhost:8000/"}}
    ]  # fmt: skip


def test_the_api_is_open_to_anyone_even_with_a_stale_token(anonymous: APIClient) -> None:
    anonymous.credentials(HTTP_AUTHORIZATION="Bearer expired.or.forged")

    assert anonymous.get(SEARCH, {"q": "tea"}).status_code == 200
    assert anonymous.get(AUTOCOMPLETE, {"q": "tea"}).status_code == 200


def test_each_ip_has_a_budget(anonymous: APIClient, settings: SettingsWrapper) -> None:
    settings.SEARCH_RATE_PER_IP = "3/minute"
    settings.SEARCH_AUTOCOMPLETE_RATE_PER_IP = "2/minute"

    statuses = [anonymous.get(SEARCH, {"q": "tea"}).status_code for _ in range(4)]
    completions = [anonymous.get(AUTOCOMPLETE, {"q": "te"}).status_code for _ in range(3)]
    elsewhere = APIClient(REMOTE_ADDR="192.0.2.77").get(SEARCH, {"q": "tea"}, HTTP_X_FORWARDED_FOR="203.0.113.9")
    refused = anonymous.get(SEARCH, {"q": "tea"}, HTTP_X_FORWARDED_FOR="198.51.100.1")  # a forged header

    assert statuses == [200, 200, 200, 429]
    assert completions == [200, 200, 429]  # a budget of its own
    assert elsewhere.status_code == 200
    assert refused.status_code == 429
    assert problem(refused)["code"] == "throttled"
    assert 0 < int(refused["Retry-After"]) <= 60


def _queries(client: APIClient, params: dict[str, Any]) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(SEARCH, params).status_code == 200
    return len(captured)


def test_a_page_costs_the_same_queries_whatever_its_size(anonymous: APIClient, publish: Callable[..., None]) -> None:
    publish("solo", "Oolong Tea")
    one = _queries(anonymous, {"q": "oolong"})
    for index in range(20):
        publish(f"p{index}", f"Oolong Tea {index}", f"Roasted oolong number {index}")

    twenty = _queries(anonymous, {"q": "oolong", "limit": "20"})

    assert one == twenty == 1  # the page ranked, cut and read back with its highlights and stores: one statement
