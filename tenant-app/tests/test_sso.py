"""Social and platform SSO end to end against identity providers on loopback, on real tenants of a shard."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from tenant_app.access.models import Role
from tenant_app.audit.models import AuditEvent
from tenant_app.sso.models import SsoLink
from tenant_app.sso.providers import check_configuration
from tenant_app.tenancy.context import tenant_transaction
from tenantry_kernel.testing import free_port
from tenantry_kernel.testing.problems import field_errors, problem

from .conftest import ShardTenant
from .oauth_standins import OAuth2StandIn, OidcStandIn, oauth2_provider, oidc_provider, sign_in_at

CLIENT_ID, CLIENT_SECRET = "tenantry-shop", "a client secret for tests"
PASSWORD = "a long enough passphrase"
STATE_INVALID = {
    "code": "sso_state_invalid",
    "detail": "This sign-in is unknown, expired or already finished; start the sign-in again.",
}


@pytest.fixture
def google() -> Iterator[OidcStandIn]:
    with oidc_provider() as provider:
        yield provider


@pytest.fixture
def platform() -> Iterator[OidcStandIn]:
    with oidc_provider() as provider:
        yield provider


@pytest.fixture
def social() -> Iterator[OAuth2StandIn]:
    """GitHub and Facebook."""
    with oauth2_provider(CLIENT_ID, CLIENT_SECRET) as standin:
        yield standin


@pytest.fixture
def tenants(
    shard: tuple[str, list[ShardTenant]],
    settings: Any,
    google: OidcStandIn,
    platform: OidcStandIn,
    social: OAuth2StandIn,
) -> list[ShardTenant]:
    """Alpha and bravo, each with a verified owner, and every provider configured against its stand-in."""
    client = {"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET}
    settings.SSO_PROVIDERS = {
        "google": {**client, "issuer": google.issuer},
        "platform": {**client, "issuer": platform.issuer, "label": "Tenantry Cloud"},
        "github": {
            **client,
            "authorize_url": f"{social.url}/login/oauth/authorize",
            "token_url": f"{social.url}/login/oauth/access_token",
            "api_url": social.url,
        },
        "facebook": {
            **client,
            "authorize_url": f"{social.url}/dialog/oauth",
            "token_url": f"{social.url}/oauth/access_token",
            "api_url": social.url,
        },
    }
    for tenant in shard[1]:
        with tenant_transaction(tenant.route):
            Role.objects.get_or_create(slug="customer", defaults={"name": "Customer", "builtin": True})
            owner = get_user_model().objects.create_user("owner@example.test", PASSWORD)
            owner.email_verified_at = owner.date_joined
            owner.save(update_fields=["email_verified_at"])
    return shard[1]


def start(tenant: ShardTenant, provider: str, **body: str) -> dict[str, Any]:
    response = Client().post(
        f"/api/v1/auth/sso/{provider}/start/", body, content_type="application/json", HTTP_HOST=tenant.host
    )
    assert response.status_code == 200, response.content
    started: dict[str, Any] = response.json()
    return started


def callback(tenant: ShardTenant, location: str) -> Any:
    """The browser comes back from the provider to the store's host."""
    parts = urlsplit(location)
    return Client().get(f"{parts.path}?{parts.query}", HTTP_HOST=tenant.host)


def sso_sign_in(tenant: ShardTenant, provider: str, sub: str) -> Any:
    location = sign_in_at(start(tenant, provider)["authorization_url"], sub)
    assert urlsplit(location).netloc == tenant.host  # each store's callback is on its own host
    return callback(tenant, location)


def me(tenant: ShardTenant, access: str) -> Any:
    return Client().get("/api/v1/auth/me/", HTTP_HOST=tenant.host, HTTP_AUTHORIZATION=f"Bearer {access}")


def password_sign_in(tenant: ShardTenant, email: str) -> Any:
    body = {"email": email, "password": PASSWORD}
    return Client().post("/api/v1/auth/sign-in/", body, content_type="application/json", HTTP_HOST=tenant.host)


def query_of(url: str) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(urlsplit(url).query).items()}


def replace_query(url: str, **params: str) -> str:
    return urlsplit(url)._replace(query=urlencode({**query_of(url), **params})).geturl()


def audit_trail(tenant: ShardTenant) -> list[tuple[str, dict[str, Any]]]:
    with tenant_transaction(tenant.route):
        return [(event.type, event.details) for event in AuditEvent.objects.order_by("id")]


def test_the_configured_providers_are_listed(tenants: list[ShardTenant]) -> None:
    response = Client().get("/api/v1/auth/sso/providers/", HTTP_HOST=tenants[0].host)

    assert response.status_code == 200
    assert response.json() == {
        "providers": [
            {"id": "google", "name": "Google", "protocol": "oidc"},
            {"id": "platform", "name": "Tenantry Cloud", "protocol": "oidc"},
            {"id": "github", "name": "GitHub", "protocol": "github"},
            {"id": "facebook", "name": "Facebook", "protocol": "facebook"},
        ]
    }


def test_a_provider_that_is_not_configured_is_not_found(tenants: list[ShardTenant], settings: Any) -> None:
    del settings.SSO_PROVIDERS["facebook"]

    response = Client().post("/api/v1/auth/sso/facebook/start/", HTTP_HOST=tenants[0].host)

    assert response.status_code == 404
    assert problem(response) == {
        "code": "sso_provider_unknown",
        "detail": "No sign-in with 'facebook' is offered here; see the list of providers.",
    }


def test_google_sign_in_creates_a_verified_customer_whose_tokens_work_on_that_store(
    tenants: list[ShardTenant], google: OidcStandIn
) -> None:
    alpha, bravo = tenants
    google.set_user("ada-1815", email="Ada@Example.test", email_verified=True, name="Ada Lovelace")

    started = start(alpha, "google")
    request = query_of(started["authorization_url"])
    assert started["authorization_url"].startswith(f"{google.issuer}/oauth2/authorize?")
    assert request["state"] == started["state"]
    assert request["code_challenge_method"] == "S256"
    assert request["nonce"]
    assert request["code_challenge"]
    assert request["redirect_uri"] == f"http://{alpha.host}/api/v1/auth/sso/google/callback/"
    response = callback(alpha, sign_in_at(started["authorization_url"], "ada-1815"))

    assert response.status_code == 200, response.content
    assert response["Cache-Control"] == "no-store"
    tokens = response.json()
    assert me(alpha, tokens["access"]).json()["tenant"] == alpha.slug
    assert me(bravo, tokens["access"]).status_code == 401
    with tenant_transaction(alpha.route):
        user = get_user_model().objects.get(email="ada@example.test")
        assert user.email_verified
        assert user.full_name == "Ada Lovelace"
        assert user.role == Role.objects.get(slug="customer")
        assert not user.has_usable_password()
        assert list(SsoLink.objects.values_list("provider", "subject", "user")) == [("google", "ada-1815", user.pk)]
        assert user.refresh_families.get().method == "sso:google"
    (linked, details), (signed_in, session) = audit_trail(alpha)[-2:]
    assert (linked, details) == (
        "sso_linked",
        {"provider": "google", "account_created": True, "unverified_account_claimed": False},
    )
    assert (signed_in, session["method"]) == ("sign_in", "sso:google")

    # The next sign-in finds the link: the same user, no new account or link.
    assert sso_sign_in(alpha, "google", "ada-1815").status_code == 200
    with tenant_transaction(alpha.route):
        assert get_user_model().objects.filter(email="ada@example.test").count() == 1
        assert SsoLink.objects.count() == 1


def test_platform_sso_links_the_existing_user_with_that_verified_email(
    tenants: list[ShardTenant], platform: OidcStandIn
) -> None:
    alpha = tenants[0]
    platform.set_user("operator-7", email="owner@example.test", email_verified=True)

    response = sso_sign_in(alpha, "platform", "operator-7")

    assert response.status_code == 200, response.content
    assert me(alpha, response.json()["access"]).json()["email"] == "owner@example.test"
    with tenant_transaction(alpha.route):
        owner = get_user_model().objects.get()
        assert SsoLink.objects.get(provider="platform", subject="operator-7").user == owner
    assert ("sso_linked", {"provider": "platform", "account_created": False, "unverified_account_claimed": False}) in (
        audit_trail(alpha)
    )
    assert password_sign_in(alpha, "owner@example.test").status_code == 200  # a verified account keeps its password


def test_an_unverified_email_never_links_an_existing_account(tenants: list[ShardTenant], google: OidcStandIn) -> None:
    alpha = tenants[0]
    google.set_user("mallory", email="owner@example.test", email_verified=False)

    response = sso_sign_in(alpha, "google", "mallory")

    assert response.status_code == 409
    assert problem(response) == {
        "code": "email_not_verified",
        "detail": "An account with owner@example.test exists and Google does not confirm that the address is "
        "yours; sign in another way.",
    }
    with tenant_transaction(alpha.route):
        assert not SsoLink.objects.exists()
    assert audit_trail(alpha)[-1] == (
        "sso_failed",
        {"provider": "google", "reason": "email_not_verified"},
    )


def test_github_sign_in_takes_the_verified_primary_email_and_the_numeric_id(
    tenants: list[ShardTenant], social: OAuth2StandIn
) -> None:
    alpha = tenants[0]
    social.add_github_user(
        "octocat",
        583231,
        [
            {"email": "old@example.test", "primary": False, "verified": True},
            {"email": "Octo@Example.test", "primary": True, "verified": True},
        ],
        name="The Octocat",
    )

    response = sso_sign_in(alpha, "github", "octocat")

    assert response.status_code == 200, response.content
    assert me(alpha, response.json()["access"]).json()["email"] == "octo@example.test"
    with tenant_transaction(alpha.route):
        link = SsoLink.objects.select_related("user").get()
        assert (link.provider, link.subject, link.email_verified) == ("github", "583231", True)
        assert link.user.email_verified


def test_github_with_an_unverified_primary_email_does_not_get_the_existing_account(
    tenants: list[ShardTenant], social: OAuth2StandIn
) -> None:
    alpha = tenants[0]
    social.add_github_user("mallory", 666, [{"email": "owner@example.test", "primary": True, "verified": False}])

    response = sso_sign_in(alpha, "github", "mallory")

    assert response.status_code == 409
    assert problem(response)["code"] == "email_not_verified"
    with tenant_transaction(alpha.route):
        assert not SsoLink.objects.exists()


def test_facebook_email_names_a_new_account_but_never_counts_as_verified(
    tenants: list[ShardTenant], social: OAuth2StandIn
) -> None:
    alpha = tenants[0]
    social.add_facebook_user("10158", "Grace@Example.test", name="Grace Hopper")
    social.add_facebook_user("10666", "owner@example.test")

    created = sso_sign_in(alpha, "facebook", "10158")
    refused = sso_sign_in(alpha, "facebook", "10666")

    assert created.status_code == 200, created.content
    with tenant_transaction(alpha.route):
        grace = get_user_model().objects.get(email="grace@example.test")
        assert not grace.email_verified
        assert grace.full_name == "Grace Hopper"
        assert list(SsoLink.objects.values_list("subject", "email_verified")) == [("10158", False)]
    assert refused.status_code == 409
    assert problem(refused)["code"] == "email_not_verified"


def test_a_verified_sign_in_claims_an_account_someone_set_up_with_an_unproven_address(
    tenants: list[ShardTenant], google: OidcStandIn, social: OAuth2StandIn
) -> None:
    alpha = tenants[0]
    # Mallory set up an account with the victim's address (never verified): a password, her Facebook
    # account linked, a session. She waits for the victim to arrive (pre-account hijacking).
    social.add_facebook_user("mallory-fb", "victim@example.test")
    with tenant_transaction(alpha.route):
        victim = get_user_model().objects.create_user("victim@example.test", PASSWORD)
        SsoLink.objects.create(provider="facebook", subject="mallory-fb", user=victim, email=victim.email)
    mallory = password_sign_in(alpha, "victim@example.test").json()
    google.set_user("victim", email="victim@example.test", email_verified=True)

    response = sso_sign_in(alpha, "google", "victim")

    assert response.status_code == 200, response.content
    assert me(alpha, response.json()["access"]).status_code == 200
    assert problem(me(alpha, mallory["access"]))["code"] == "token_revoked"
    assert problem(password_sign_in(alpha, "victim@example.test"))["code"] == "invalid_credentials"
    assert problem(sso_sign_in(alpha, "facebook", "mallory-fb"))["code"] == "email_not_verified"
    with tenant_transaction(alpha.route):
        assert get_user_model().objects.get(email="victim@example.test").email_verified
        assert list(SsoLink.objects.values_list("provider", flat=True)) == ["google"]
    assert ("sso_linked", {"provider": "google", "account_created": False, "unverified_account_claimed": True}) in (
        audit_trail(alpha)
    )


def test_a_state_works_once(tenants: list[ShardTenant]) -> None:
    alpha = tenants[0]
    location = sign_in_at(start(alpha, "google")["authorization_url"], "ada")

    first = callback(alpha, location)
    replayed = callback(alpha, location)

    assert first.status_code == 200
    assert replayed.status_code == 400
    assert problem(replayed) == STATE_INVALID


def test_a_forged_state_or_a_missing_code_is_refused(tenants: list[ShardTenant]) -> None:
    alpha = tenants[0]

    forged = Client().get("/api/v1/auth/sso/google/callback/?code=abc&state=forged", HTTP_HOST=alpha.host)
    no_code = Client().get("/api/v1/auth/sso/google/callback/?state=forged", HTTP_HOST=alpha.host)

    assert forged.status_code == 400
    assert problem(forged) == STATE_INVALID
    assert ("sso_failed", {"provider": "google", "reason": "sso_state_invalid"}) in audit_trail(alpha)
    assert no_code.status_code == 400
    assert problem(no_code)["code"] == "invalid"
    assert field_errors(no_code) == {"/code": ["This field is required."]}


def test_a_state_of_one_store_is_unknown_on_another(tenants: list[ShardTenant]) -> None:
    alpha, bravo = tenants
    location = sign_in_at(start(alpha, "google")["authorization_url"], "ada")

    on_bravo = callback(bravo, location)

    assert on_bravo.status_code == 400
    assert problem(on_bravo) == STATE_INVALID
    assert callback(alpha, location).status_code == 200  # untouched by the attempt on bravo


def test_a_state_of_one_provider_is_unknown_to_another(tenants: list[ShardTenant]) -> None:
    alpha = tenants[0]
    location = sign_in_at(start(alpha, "google")["authorization_url"], "ada")

    response = callback(alpha, location.replace("/sso/google/", "/sso/platform/"))

    assert response.status_code == 400
    assert problem(response) == STATE_INVALID


def test_an_id_token_carrying_another_sign_ins_nonce_is_refused(tenants: list[ShardTenant]) -> None:
    alpha = tenants[0]
    earlier, current = start(alpha, "google"), start(alpha, "google")
    # The provider issues a code for the earlier attempt's nonce, returned with the current state.
    earlier_nonce = query_of(earlier["authorization_url"])["nonce"]
    crafted = replace_query(current["authorization_url"], nonce=earlier_nonce)

    response = callback(alpha, sign_in_at(crafted, "ada"))

    assert response.status_code == 400
    assert problem(response) == {
        "code": "sso_id_token_invalid",
        "detail": "The identity provider's ID token is not valid (Invalid claim: 'nonce'); start the sign-in again.",
    }


@pytest.mark.parametrize("provider", ["google", "github"])
def test_a_code_bound_to_another_pkce_challenge_is_refused(
    tenants: list[ShardTenant], social: OAuth2StandIn, provider: str
) -> None:
    alpha = tenants[0]
    social.add_github_user("ada", 1815, [{"email": "ada@example.test", "primary": True, "verified": True}])
    earlier, current = start(alpha, provider), start(alpha, provider)
    # A code issued for the earlier attempt's challenge (say, stolen) is injected into the current one:
    # the verifier we hold for the current attempt does not match, and the provider refuses it.
    earlier_challenge = query_of(earlier["authorization_url"])["code_challenge"]
    crafted = replace_query(current["authorization_url"], code_challenge=earlier_challenge)

    response = callback(alpha, sign_in_at(crafted, "ada"))

    assert response.status_code == 400
    assert problem(response) == {
        "code": "sso_code_invalid",
        "detail": "The identity provider refused the sign-in code; start the sign-in again.",
    }


def test_a_denied_sign_in_uses_up_the_state(tenants: list[ShardTenant]) -> None:
    alpha = tenants[0]
    state = start(alpha, "google")["state"]
    path = f"/api/v1/auth/sso/google/callback/?error=access_denied&state={state}"

    denied = Client().get(path, HTTP_HOST=alpha.host)
    again = Client().get(path, HTTP_HOST=alpha.host)

    assert denied.status_code == 400
    assert problem(denied) == {"code": "sso_denied", "detail": "Google did not sign you in (access_denied); try again."}
    assert problem(again) == STATE_INVALID


def test_an_unreachable_provider_is_a_bad_gateway(
    tenants: list[ShardTenant], social: OAuth2StandIn, settings: Any
) -> None:
    alpha = tenants[0]
    social.add_github_user("ada", 1815, [{"email": "ada@example.test", "primary": True, "verified": True}])
    settings.SSO_PROVIDERS["github"]["token_url"] = f"http://127.0.0.1:{free_port()}/login/oauth/access_token"

    response = sso_sign_in(alpha, "github", "ada")

    assert response.status_code == 502
    assert problem(response) == {
        "code": "sso_provider_unavailable",
        "detail": "The identity provider did not answer properly; try again in a moment.",
    }


def test_a_front_end_takes_the_redirect_on_its_own_page_and_posts_the_code(
    tenants: list[ShardTenant], google: OidcStandIn
) -> None:
    alpha = tenants[0]
    own_page = f"http://{alpha.host}/signed-in/google"

    started = start(alpha, "google", redirect_uri=own_page)
    location = sign_in_at(started["authorization_url"], "ada")
    assert location.startswith(f"{own_page}?")
    response = Client().post(
        "/api/v1/auth/sso/google/callback/", query_of(location), content_type="application/json", HTTP_HOST=alpha.host
    )

    assert response.status_code == 200, response.content
    assert me(alpha, response.json()["access"]).status_code == 200


def test_a_redirect_uri_elsewhere_is_refused_unless_it_is_a_registered_app(
    tenants: list[ShardTenant], settings: Any
) -> None:
    alpha = tenants[0]
    settings.SSO_APP_REDIRECT_URIS = ["com.example.shop:/sso"]

    def start_with(redirect_uri: str) -> Any:
        return Client().post(
            "/api/v1/auth/sso/google/start/",
            {"redirect_uri": redirect_uri},
            content_type="application/json",
            HTTP_HOST=alpha.host,
        )

    for stranger in ("https://evil.example/cb", f"http://{alpha.host}.evil.example/", f"https://{alpha.host}/"):
        refused = start_with(stranger)
        assert refused.status_code == 400, stranger
        assert field_errors(refused) == {
            "/redirect_uri": [f"Use an address under http://{alpha.host}/ or a registered app address."]
        }
    app = start_with("com.example.shop:/sso")
    assert app.status_code == 200
    assert query_of(app.json()["authorization_url"])["redirect_uri"] == "com.example.shop:/sso"


def test_a_deactivated_user_cannot_sign_in_through_a_provider(
    tenants: list[ShardTenant], platform: OidcStandIn
) -> None:
    alpha = tenants[0]
    platform.set_user("operator-7", email="owner@example.test", email_verified=True)
    with tenant_transaction(alpha.route):
        get_user_model().objects.filter(email="owner@example.test").update(is_active=False)

    response = sso_sign_in(alpha, "platform", "operator-7")

    assert response.status_code == 403
    assert problem(response)["code"] == "account_disabled"


def test_a_malformed_provider_configuration_fails_the_system_check(settings: Any) -> None:
    settings.SSO_PROVIDERS = {"platform": {"client_id": "x", "client_secret": "y"}}
    assert [(e.id, e.msg) for e in check_configuration()] == [("sso.E001", "SSO_PROVIDERS['platform'] needs issuer.")]

    settings.SSO_PROVIDERS = {"myspace": {"client_id": "x", "client_secret": "y"}}
    assert check_configuration()[0].msg.startswith("SSO_PROVIDERS: unknown provider 'myspace'")

    settings.SSO_PROVIDERS = {"google": {"client_id": "x", "client_secret": "y", "tenant": "z"}}
    assert check_configuration()[0].msg == "SSO_PROVIDERS['google']: unknown keys ['tenant']."
