"""The public store directory: live stores only, public fields only, cursor pages, cached, open to anyone."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta

import pytest
from pytest_django.fixtures import Settings as SettingsWrapper
from rest_framework.test import APIClient

from control_plane.search import actions
from control_plane.search.models import TenantEntry
from tenantry_kernel.testing import forget_cached
from tenantry_kernel.testing.problems import field_errors

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
DIRECTORY = "/api/v1/directory/"


@pytest.fixture(autouse=True)
def fresh_cache() -> None:
    forget_cached()


@pytest.fixture
def anonymous() -> APIClient:
    return APIClient(REMOTE_ADDR=f"10.{secrets.randbelow(250)}.{secrets.randbelow(250)}.{secrets.randbelow(250)}")


def store(slug: str, state: str, name: str = "", *, at: datetime = T0) -> str:
    data = {"name": name or slug.title(), "plan": "growth", "from_state": "provisioning", "to_state": state,
            "reason": "", "url": f"http://{slug}.localhost:8000/"}  # fmt: skip
    actions.record_tenant_state(slug, data, event_time=at)
    return slug


def test_only_ready_stores_are_listed_with_public_fields_only(anonymous: APIClient) -> None:
    store("b-tea", "ready", "Kyoto Tea House")
    store("a-coffee", "ready", "Acme Coffee")
    for state in ("provisioning", "suspended", "failed", "pending"):
        store(f"hidden-{state}", state)
    store("gone", "ready")
    store("gone", "deleted", at=T0 + timedelta(seconds=1))

    response = anonymous.get(DIRECTORY)

    assert response.status_code == 200
    assert response.json() == {
        "next": None,
        "previous": None,
        "results": [
            {"slug": "a-coffee", "name": "Acme Coffee", "url": "http://a-coffee.localhost:8000/"},
            {"slug": "b-tea", "name": "Kyoto Tea House", "url": "http://b-tea.localhost:8000/"},
        ],
    }
    assert "public" in response["Cache-Control"]
    assert "max-age=60" in response["Cache-Control"]


def test_a_suspended_store_leaves_the_directory(anonymous: APIClient) -> None:
    store("shop", "ready")
    assert [entry["slug"] for entry in anonymous.get(DIRECTORY).json()["results"]] == ["shop"]
    store("shop", "suspended", at=T0 + timedelta(seconds=1))
    forget_cached()  # past the cache's minute

    assert anonymous.get(DIRECTORY).json()["results"] == []


def test_answers_are_cached_for_a_minute(anonymous: APIClient) -> None:
    store("first", "ready")
    assert len(anonymous.get(DIRECTORY).json()["results"]) == 1
    store("second", "ready")

    assert len(anonymous.get(DIRECTORY).json()["results"]) == 1  # the cached answer
    forget_cached()
    assert len(anonymous.get(DIRECTORY).json()["results"]) == 2


def test_next_links_walk_every_store_once(anonymous: APIClient) -> None:
    slugs = [store(f"shop-{index:02d}", "ready") for index in range(7)]

    seen: list[str] = []
    url: str | None = f"{DIRECTORY}?page_size=3"
    while url:
        body = anonymous.get(url).json()
        seen += [entry["slug"] for entry in body["results"]]
        url = body["next"]

    assert seen == slugs
    assert TenantEntry.objects.count() == 7


def test_a_forged_cursor_is_a_400_naming_it(anonymous: APIClient) -> None:
    response = anonymous.get(DIRECTORY, {"cursor": "forged"})

    assert response.status_code == 400
    assert "/cursor" in field_errors(response)


def test_the_directory_is_open_to_anyone_even_with_a_stale_token(anonymous: APIClient) -> None:
    anonymous.credentials(HTTP_AUTHORIZATION="Bearer expired.or.forged")

    assert anonymous.get(DIRECTORY).status_code == 200


def test_each_ip_has_a_budget(anonymous: APIClient, settings: SettingsWrapper) -> None:
    settings.SEARCH_RATE_PER_IP = "2/minute"

    assert [anonymous.get(DIRECTORY).status_code for _ in range(3)] == [200, 200, 429]
