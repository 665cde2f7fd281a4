"""The platform provider with a client per store: id and secret derived from the store's slug and one key."""

from __future__ import annotations

import base64
import json
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

import oidc_provider_mock
import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from werkzeug.wrappers import Response

from tenant_app.access.models import Role
from tenant_app.sso.models import SsoLink
from tenant_app.sso.providers import check_configuration, configured_providers
from tenant_app.tenancy.context import tenant_transaction
from tenantry_kernel.context import bound_tenant
from tenantry_kernel.provisioning import oidc_client
from tenantry_kernel.testing.problems import problem

from .conftest import ShardTenant
from .oauth_standins import PkceCheck, serve, sign_in_at

CLIENT_KEY = "a platform-wide key that is long enough 0001"
OTHER_KEY = "another platform-wide key, also long enough 02"


@dataclass
class RegisteredClients:
    """WSGI layer for oidc-provider-mock, which accepts any client: only registered ids, with their secrets,
    may be sent to the sign-in page and exchange codes (as the platform's provider does)."""

    app: Any
    secrets: dict[str, str] = field(default_factory=dict)
    token_clients: list[str] = field(default_factory=list)  # who exchanged codes, in order

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        path = environ["PATH_INFO"]
        if path == "/oauth2/authorize":
            client_id = parse_qs(environ.get("QUERY_STRING", "")).get("client_id", [""])[0]
            if client_id not in self.secrets:
                return Response(f"unknown client {client_id}", 400)(environ, start_response)
        if path == "/oauth2/token" and environ["REQUEST_METHOD"] == "POST":
            client_id, _, secret = (
                base64.b64decode(environ.get("HTTP_AUTHORIZATION", "Basic ").removeprefix("Basic "))
                .decode()
                .partition(":")
            )
            if self.secrets.get(client_id) != secret or not secret:
                body = json.dumps({"error": "invalid_client"})
                return Response(body, 401, content_type="application/json")(environ, start_response)
            self.token_clients.append(client_id)
        return self.app(environ, start_response)


@dataclass
class PlatformStandIn:
    issuer: str
    clients: RegisteredClients

    def register(self, slug: str, key: str = CLIENT_KEY) -> None:
        self.clients.secrets[oidc_client.client_id(slug)] = oidc_client.client_secret(key, slug)

    def set_user(self, sub: str, **claims: Any) -> None:
        import requests

        requests.put(f"{self.issuer}/users/{sub}", json=claims, timeout=5).raise_for_status()


@contextmanager
def platform_provider() -> Iterator[PlatformStandIn]:
    app = oidc_provider_mock.app(require_nonce=True)
    clients = RegisteredClients(PkceCheck(app.wsgi_app))
    app.wsgi_app = clients
    with serve(app) as url:
        yield PlatformStandIn(url, clients)


@pytest.fixture
def platform() -> Iterator[PlatformStandIn]:
    with platform_provider() as provider:
        yield provider


@pytest.fixture
def stores(shard: tuple[str, list[ShardTenant]], settings: Any, platform: PlatformStandIn) -> list[ShardTenant]:
    """Alpha and bravo, each with a verified owner; the platform provider configured with the shared key."""
    settings.SSO_PROVIDERS = {"platform": {"issuer": platform.issuer, "client_secret_key": CLIENT_KEY}}
    for tenant in shard[1]:
        with tenant_transaction(tenant.route):
            Role.objects.get_or_create(slug="customer", defaults={"name": "Customer", "builtin": True})
            owner = get_user_model().objects.create_user("owner@example.test", "a long enough passphrase")
            owner.email_verified_at = owner.date_joined
            owner.save(update_fields=["email_verified_at"])
    return shard[1]


def start(tenant: ShardTenant) -> str:
    response = Client().post(
        "/api/v1/auth/sso/platform/start/", {}, content_type="application/json", HTTP_HOST=tenant.host
    )
    assert response.status_code == 200, response.content
    return str(response.json()["authorization_url"])


def callback(tenant: ShardTenant, location: str) -> Any:
    parts = urlsplit(location)
    return Client().get(f"{parts.path}?{parts.query}", HTTP_HOST=tenant.host)


def test_each_store_sends_people_to_the_platform_as_its_own_client(stores: list[ShardTenant]) -> None:
    alpha, bravo = stores

    for tenant in (alpha, bravo):
        query = parse_qs(urlsplit(start(tenant)).query)
        assert query["client_id"] == [f"tenant-{tenant.slug}"]
        assert query["redirect_uri"] == [f"http://{tenant.host}/api/v1/auth/sso/platform/callback/"]


def test_a_store_exchanges_the_code_with_its_derived_secret_and_links_the_verified_owner(
    stores: list[ShardTenant], platform: PlatformStandIn
) -> None:
    alpha, bravo = stores
    platform.register(alpha.slug)
    platform.register(bravo.slug)
    platform.set_user("42", email="owner@example.test", email_verified=True, name="Olive Owner")

    response = callback(alpha, sign_in_at(start(alpha), "42"))

    assert response.status_code == 200, response.content
    assert set(response.json()) >= {"access", "refresh"}
    assert platform.clients.token_clients == [f"tenant-{alpha.slug}"]
    with tenant_transaction(alpha.route):
        link = SsoLink.objects.get(provider="platform", subject="42")
        assert link.user.email == "owner@example.test"
    with tenant_transaction(bravo.route):
        assert not SsoLink.objects.exists()


def test_a_secret_derived_from_another_key_gets_no_tokens(
    stores: list[ShardTenant], platform: PlatformStandIn, settings: Any
) -> None:
    alpha = stores[0]
    platform.register(alpha.slug, key=OTHER_KEY)
    platform.set_user("42", email="owner@example.test", email_verified=True)

    response = callback(alpha, sign_in_at(start(alpha), "42"))

    assert response.status_code == 400
    assert problem(response)["code"] == "sso_code_invalid"
    assert platform.clients.token_clients == []
    with tenant_transaction(alpha.route):
        assert not SsoLink.objects.exists()


def test_one_stores_credentials_are_not_anothers(stores: list[ShardTenant]) -> None:
    alpha, bravo = stores

    with bound_tenant(alpha.slug):
        for_alpha = configured_providers()["platform"]
    with bound_tenant(bravo.slug):
        for_bravo = configured_providers()["platform"]

    assert for_alpha.client_id == f"tenant-{alpha.slug}"
    assert for_alpha.client_secret == oidc_client.client_secret(CLIENT_KEY, alpha.slug)
    assert for_bravo.client_secret == oidc_client.client_secret(CLIENT_KEY, bravo.slug)
    assert for_alpha.client_secret != for_bravo.client_secret


def test_outside_a_store_the_platform_client_is_nobodys_and_the_check_passes(settings: Any) -> None:
    settings.SSO_PROVIDERS = {"platform": {"issuer": "http://127.0.0.1:1/o", "client_secret_key": CLIENT_KEY}}

    assert check_configuration() == []
    provider = configured_providers()["platform"]
    assert (provider.client_id, provider.client_secret) == ("", "")


def test_a_misused_client_secret_key_fails_the_system_check(settings: Any) -> None:
    settings.SSO_PROVIDERS = {"google": {"client_secret_key": CLIENT_KEY}}
    assert [(e.id, e.msg) for e in check_configuration()] == [
        ("sso.E001", "SSO_PROVIDERS['google']: client_secret_key is for the platform provider only.")
    ]

    settings.SSO_PROVIDERS = {
        "platform": {"issuer": "http://127.0.0.1:1/o", "client_secret_key": CLIENT_KEY, "client_secret": "s"}
    }
    assert check_configuration()[0].msg == (
        "SSO_PROVIDERS['platform']: give either client_secret_key (credentials per tenant) "
        "or client_id and client_secret, not both."
    )

    settings.SSO_PROVIDERS = {"platform": {"issuer": "http://127.0.0.1:1/o", "client_secret_key": "short"}}
    assert check_configuration()[0].msg.startswith(
        "SSO_PROVIDERS['platform']: PLATFORM_SSO_CLIENT_KEY must be at least 32 characters"
    )


def test_a_browser_sent_by_the_portal_lands_on_the_stores_page_signed_in_not_on_json(
    stores: list[ShardTenant], platform: PlatformStandIn
) -> None:
    alpha = stores[0]
    platform.register(alpha.slug)
    platform.set_user("42", email="owner@example.test", email_verified=True, name="Olive Owner")

    began = Client().get("/sso/platform/", HTTP_HOST=alpha.host)
    assert began.status_code == 302
    assert began["Cache-Control"] == "no-store"
    query = parse_qs(urlsplit(began["Location"]).query)
    assert query["redirect_uri"] == [f"http://{alpha.host}/api/v1/auth/sso/platform/callback/"]

    landed = callback(alpha, sign_in_at(began["Location"], "42"))

    assert landed.status_code == 200, landed.content
    assert landed["Content-Type"].startswith("text/html")
    assert landed["Cache-Control"] == "no-store"
    page = landed.content.decode()
    assert 'data-state="signed-in"' in page
    assert "owner@example.test" in page
    assert "access" not in page  # no token in the page
    assert "refresh" not in page
    with tenant_transaction(alpha.route):
        assert SsoLink.objects.get(provider="platform", subject="42").user.email == "owner@example.test"

    # The API's own start still answers its callback with JSON.
    assert set(callback(alpha, sign_in_at(start(alpha), "42")).json()) >= {"access", "refresh"}


def test_a_browsers_failed_sign_in_is_a_page_that_says_what_to_do(
    stores: list[ShardTenant], platform: PlatformStandIn
) -> None:
    alpha = stores[0]
    platform.register(alpha.slug, key=OTHER_KEY)
    platform.set_user("42", email="owner@example.test", email_verified=True)

    began = Client().get("/sso/platform/", HTTP_HOST=alpha.host)
    failed = callback(alpha, sign_in_at(began["Location"], "42"))

    assert failed.status_code == 303
    assert failed["Location"] == "/sso/platform/?failed=sso_code_invalid"
    page = Client().get(failed["Location"], HTTP_HOST=alpha.host)
    assert page.status_code == 400
    assert page["Content-Type"].startswith("text/html")
    assert "open the store again" in page.content.decode()
    assert Client().get("/sso/nobody/", HTTP_HOST=alpha.host).status_code == 404


def test_the_browser_page_spends_the_same_budget_per_address_as_the_api(
    stores: list[ShardTenant], platform: PlatformStandIn, settings: Any
) -> None:
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "sso": "2/min"},
    }
    alpha = stores[0]
    platform.register(alpha.slug)
    address = f"198.51.100.{secrets.randbelow(250) + 1}"  # an address of this test's own: budgets live in Redis

    answers = [Client(REMOTE_ADDR=address).get("/sso/platform/", HTTP_HOST=alpha.host) for _ in range(3)]

    assert [answer.status_code for answer in answers] == [302, 302, 429]
    refused = answers[2]
    assert refused["Content-Type"].startswith("text/html")
    assert int(refused["Retry-After"]) >= 1
    assert "try again in a minute" in refused.content.decode()
