"""The platform's OpenID Connect provider: discovery, keys, the code flow with PKCE, refresh, tenant clients."""

from __future__ import annotations

import base64
import hashlib
import secrets
from collections.abc import Callable
from io import StringIO
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from django.contrib.auth.hashers import check_password
from django.core.management import call_command
from django.test import Client
from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey
from oauth2_provider.models import AccessToken, Application, RefreshToken
from pytest_django.fixtures import Settings as SettingsWrapper

from control_plane.accounts.models import User
from control_plane.audit.models import AuditEvent
from control_plane.oidc import keys
from control_plane.oidc.actions import register_tenant_client, remove_tenant_client
from control_plane.tenants.models import Tenant
from tenantry_kernel.provisioning import oidc_client

from .conftest import PASSWORD
from .test_admin import enrolled

ISSUER = "http://testserver/o"
CALLBACK = "http://acme.localhost:8000/api/v1/auth/sso/platform/callback/"
pytestmark = pytest.mark.django_db


@pytest.fixture
def tenant() -> Tenant:
    return Tenant.objects.create(slug="acme", name="Acme", url="http://acme.localhost:8000/", state="ready")


@pytest.fixture
def client_app(tenant: Tenant) -> Application:
    return register_tenant_client(tenant)


@pytest.fixture
def owner(make_user: Callable[..., User]) -> User:
    return make_user("owner@example.com", full_name="Olive Owner")


@pytest.fixture
def signed_in(client: Client, owner: User) -> Client:
    assert client.login(username=owner.email, password=PASSWORD)
    return client


def secret_of(tenant: Tenant) -> str:
    from django.conf import settings

    return oidc_client.client_secret(settings.PLATFORM_SSO_CLIENT_KEY, tenant.slug)


def pkce() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


def authorize_query(client_id: str = "tenant-acme", **overrides: str) -> dict[str, str]:
    return {
        "response_type": "code",
        "client_id": client_id,
        "redirect_uri": CALLBACK,
        "scope": "openid email profile",
        "state": "state-1",
        "nonce": "nonce-1",
        **overrides,
    }


def query_of(url: str) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(urlsplit(url).query).items()}


def code_for(client: Client, challenge: str, **overrides: str) -> str:
    response = client.get(
        "/o/authorize/", authorize_query(code_challenge=challenge, code_challenge_method="S256", **overrides)
    )
    assert response.status_code == 302, response.content
    assert response["Location"].startswith(CALLBACK), response["Location"]
    query = query_of(response["Location"])
    assert query["state"] == "state-1"
    return query["code"]


def basic_auth(client_id: str, secret: str) -> str:
    return "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()


def token_request(client: Client, data: dict[str, str], *, client_id: str = "tenant-acme", secret: str) -> Any:
    return client.post(
        "/o/token/",
        urlencode(data),
        content_type="application/x-www-form-urlencoded",
        HTTP_AUTHORIZATION=basic_auth(client_id, secret),
    )


def exchange(client: Client, code: str, verifier: str, secret: str) -> Any:
    data = {"grant_type": "authorization_code", "code": code, "redirect_uri": CALLBACK, "code_verifier": verifier}
    return token_request(client, data, secret=secret)


def tokens_for(client: Client, tenant: Tenant) -> dict[str, Any]:
    verifier, challenge = pkce()
    response = exchange(client, code_for(client, challenge), verifier, secret_of(tenant))
    assert response.status_code == 200, response.content
    body: dict[str, Any] = response.json()
    return body


def jwks(client: Client) -> KeySet:
    return KeySet.import_key_set(client.get("/o/.well-known/jwks.json").json())


def id_token_claims(client: Client, id_token: str) -> tuple[dict[str, Any], dict[str, Any]]:
    token = jwt.decode(id_token, jwks(client), algorithms=["RS256"])
    return dict(token.header), dict(token.claims)


def test_discovery_names_the_issuer_its_endpoints_s256_and_the_claims(client: Client) -> None:
    response = client.get("/o/.well-known/openid-configuration")

    assert response.status_code == 200
    document = response.json()
    assert document["issuer"] == ISSUER
    assert document["authorization_endpoint"] == f"{ISSUER}/authorize/"
    assert document["token_endpoint"] == f"{ISSUER}/token/"
    assert document["userinfo_endpoint"] == f"{ISSUER}/userinfo/"
    assert document["jwks_uri"] == f"{ISSUER}/.well-known/jwks.json"
    assert "RS256" in document["id_token_signing_alg_values_supported"]
    assert "S256" in document["code_challenge_methods_supported"]
    assert {"sub", "email", "email_verified", "name"} <= set(document["claims_supported"])
    assert {"openid", "email", "profile"} <= set(document["scopes_supported"])


def test_registering_a_tenant_derives_its_client_and_audits_it(tenant: Tenant) -> None:
    application = register_tenant_client(tenant)

    assert application.client_id == "tenant-acme"
    assert application.redirect_uris == CALLBACK
    assert application.skip_authorization is True
    assert application.algorithm == Application.RS256_ALGORITHM
    # Stored hashed; the tenant app's derived secret is what matches.
    assert application.client_secret != secret_of(tenant)
    assert check_password(secret_of(tenant), application.client_secret)
    assert not check_password(oidc_client.client_secret("k" * 40, "acme"), application.client_secret)
    assert AuditEvent.objects.filter(action="oidc.client_registered", tenant="acme").count() == 1


def test_registering_again_updates_the_one_client(tenant: Tenant, client_app: Application) -> None:
    tenant.url = "http://acme.example.test/"
    tenant.save(update_fields=["url"])

    again = register_tenant_client(tenant)

    assert again.pk == client_app.pk
    assert Application.objects.filter(client_id="tenant-acme").count() == 1
    assert again.redirect_uris == "http://acme.example.test/api/v1/auth/sso/platform/callback/"
    assert AuditEvent.objects.filter(action="oidc.client_updated", tenant="acme").count() == 1


def test_signing_in_on_the_providers_page_continues_the_authorization(
    client: Client, client_app: Application, owner: User
) -> None:
    _, challenge = pkce()
    query = authorize_query(code_challenge=challenge, code_challenge_method="S256")

    to_sign_in = client.get("/o/authorize/", query)
    assert to_sign_in.status_code == 302
    assert to_sign_in["Location"].startswith("/o/login/?next=")
    page = client.get(to_sign_in["Location"])
    assert page.status_code == 200
    assert b'name="password"' in page.content
    next_field = f'name="next" value="{query_of(to_sign_in["Location"])["next"]}"'.replace("&", "&amp;")
    assert next_field.encode() in page.content

    wrong = client.post(
        to_sign_in["Location"],
        {"username": owner.email, "password": "not it", "next": query_of(to_sign_in["Location"])["next"]},
    )
    assert wrong.status_code == 200
    assert b"Your email address or password is wrong" in wrong.content

    signed_in = client.post(
        to_sign_in["Location"],
        {"username": "OWNER@example.com", "password": PASSWORD, "next": query_of(to_sign_in["Location"])["next"]},
    )
    assert signed_in.status_code == 302
    assert signed_in["Location"].startswith("/o/authorize/?")
    back = client.get(signed_in["Location"])
    assert back.status_code == 302
    assert back["Location"].startswith(CALLBACK)
    assert "code" in query_of(back["Location"])


def test_the_providers_sign_in_asks_an_enrolled_user_for_a_code_from_their_authenticator(
    client: Client, client_app: Application, owner: User
) -> None:
    app = enrolled(owner)
    _, challenge = pkce()
    sign_in_url = client.get("/o/authorize/", authorize_query(code_challenge=challenge, code_challenge_method="S256"))[
        "Location"
    ]
    next_url = query_of(sign_in_url)["next"]
    credentials = {"username": owner.email, "password": PASSWORD, "next": next_url}

    without_code = client.post(sign_in_url, credentials)
    wrong_code = client.post(sign_in_url, {**credentials, "otp_token": app.wrong_code()})
    right_code = client.post(sign_in_url, {**credentials, "otp_token": app.code()})

    assert without_code.status_code == 200
    assert b'data-code="two_factor_required"' in without_code.content
    assert wrong_code.status_code == 200
    assert b'data-code="two_factor_code_invalid"' in wrong_code.content
    assert right_code.status_code == 302
    assert right_code["Location"] == next_url
    assert client.get(next_url)["Location"].startswith(CALLBACK)
    assert AuditEvent.objects.filter(action="account.provider_sign_in", actor=owner).count() == 1


def test_a_first_party_tenant_client_skips_consent_a_third_party_client_asks(
    signed_in: Client, client_app: Application
) -> None:
    Application.objects.create(
        client_id="partner",
        name="Partner",
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        redirect_uris="http://partner.localhost/cb",
        algorithm=Application.RS256_ALGORITHM,
        skip_authorization=False,
    )
    _, challenge = pkce()

    first_party = signed_in.get(
        "/o/authorize/", authorize_query(code_challenge=challenge, code_challenge_method="S256")
    )
    third_party = signed_in.get(
        "/o/authorize/",
        authorize_query(
            "partner",
            redirect_uri="http://partner.localhost/cb",
            code_challenge=challenge,
            code_challenge_method="S256",
        ),
    )

    assert first_party.status_code == 302
    assert "code" in query_of(first_party["Location"])
    assert third_party.status_code == 200
    assert b'name="allow"' in third_party.content


def test_an_authorization_without_pkce_is_refused(signed_in: Client, client_app: Application) -> None:
    response = signed_in.get("/o/authorize/", authorize_query())

    assert response.status_code == 302
    assert response["Location"].startswith(CALLBACK)
    query = query_of(response["Location"])
    assert query["error"] == "invalid_request"
    assert "code" not in query


def test_a_code_exchanged_without_its_pkce_verifier_is_refused(
    signed_in: Client, client_app: Application, tenant: Tenant
) -> None:
    _, challenge = pkce()
    code = code_for(signed_in, challenge)

    response = exchange(signed_in, code, secrets.token_urlsafe(48), secret_of(tenant))

    assert response.status_code == 400
    assert response.json()["error"] == "invalid_grant"


def test_the_id_token_carries_the_users_claims_for_the_tenants_client(
    signed_in: Client, client_app: Application, tenant: Tenant, owner: User
) -> None:
    tokens = tokens_for(signed_in, tenant)

    header, claims = id_token_claims(signed_in, tokens["id_token"])
    assert header["alg"] == "RS256"
    assert claims["iss"] == ISSUER
    assert claims["aud"] == "tenant-acme"
    assert claims["sub"] == str(owner.pk)
    assert claims["email"] == "owner@example.com"
    assert claims["email_verified"] is True
    assert claims["name"] == "Olive Owner"
    assert claims["nonce"] == "nonce-1"
    userinfo = signed_in.get("/o/userinfo/", HTTP_AUTHORIZATION=f"Bearer {tokens['access_token']}")
    assert userinfo.json() == {
        "sub": str(owner.pk),
        "email": "owner@example.com",
        "email_verified": True,
        "name": "Olive Owner",
    }


def test_an_unverified_address_is_said_to_be_unverified(
    client: Client, client_app: Application, tenant: Tenant, make_user: Callable[..., User]
) -> None:
    user = make_user("new@example.com", verified=False)
    assert client.login(username=user.email, password=PASSWORD)

    _, claims = id_token_claims(client, tokens_for(client, tenant)["id_token"])

    assert claims["email"] == "new@example.com"
    assert claims["email_verified"] is False


def test_the_wrong_client_secret_gets_no_tokens(signed_in: Client, client_app: Application) -> None:
    verifier, challenge = pkce()
    code = code_for(signed_in, challenge)

    response = exchange(signed_in, code, verifier, oidc_client.client_secret("another key" * 4, "acme"))

    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"


def test_a_refresh_rotates_the_refresh_token_and_a_reused_one_revokes_the_family(
    signed_in: Client, client_app: Application, tenant: Tenant
) -> None:
    first = tokens_for(signed_in, tenant)
    refresh = {"grant_type": "refresh_token", "refresh_token": first["refresh_token"]}

    second = token_request(signed_in, refresh, secret=secret_of(tenant))

    assert second.status_code == 200, second.content
    rotated = second.json()
    assert rotated["refresh_token"] != first["refresh_token"]
    assert rotated["access_token"] != first["access_token"]
    retired_access = signed_in.get("/o/userinfo/", HTTP_AUTHORIZATION=f"Bearer {first['access_token']}")
    assert retired_access.status_code == 401
    assert signed_in.get("/o/userinfo/", HTTP_AUTHORIZATION=f"Bearer {rotated['access_token']}").status_code == 200

    replayed = token_request(signed_in, refresh, secret=secret_of(tenant))

    assert replayed.status_code == 400
    assert replayed.json()["error"] == "invalid_grant"
    # The replay may be a thief's: the refresh token handed out on rotation is revoked as well.
    later = token_request(
        signed_in, {"grant_type": "refresh_token", "refresh_token": rotated["refresh_token"]}, secret=secret_of(tenant)
    )
    assert later.status_code == 400
    assert later.json()["error"] == "invalid_grant"


def test_a_deleted_tenants_client_is_gone_and_its_code_and_refresh_token_are_worthless(
    signed_in: Client, client_app: Application, tenant: Tenant
) -> None:
    issued = tokens_for(signed_in, tenant)
    verifier, challenge = pkce()
    code = code_for(signed_in, challenge)
    assert RefreshToken.objects.filter(application=client_app).exists()

    remove_tenant_client(tenant)

    assert not Application.objects.filter(client_id="tenant-acme").exists()
    assert not RefreshToken.objects.filter(application_id=client_app.pk).exists()
    assert not AccessToken.objects.filter(application_id=client_app.pk).exists()
    assert AuditEvent.objects.filter(action="oidc.client_removed", tenant="acme").count() == 1
    exchanged = exchange(signed_in, code, verifier, secret_of(tenant))
    assert exchanged.status_code == 401
    assert exchanged.json()["error"] == "invalid_client"
    refreshed = token_request(
        signed_in, {"grant_type": "refresh_token", "refresh_token": issued["refresh_token"]}, secret=secret_of(tenant)
    )
    assert refreshed.status_code == 401
    authorize = signed_in.get("/o/authorize/", authorize_query(code_challenge=challenge, code_challenge_method="S256"))
    assert authorize.status_code == 400  # unknown client: never redirected anywhere
    remove_tenant_client(tenant)  # already gone counts as removed


def test_the_jwks_publishes_the_active_and_the_retired_key_and_old_tokens_still_verify(
    signed_in: Client, client_app: Application, tenant: Tenant, settings: SettingsWrapper
) -> None:
    old_pem, new_pem = keys.generate_private_key(), keys.generate_private_key()
    old_kid, new_kid = (RSAKey.import_key(pem).thumbprint() for pem in (old_pem, new_pem))
    settings.OAUTH2_PROVIDER = {**settings.OAUTH2_PROVIDER, "OIDC_RSA_PRIVATE_KEY": old_pem}
    before = tokens_for(signed_in, tenant)["id_token"]

    settings.OAUTH2_PROVIDER = {
        **settings.OAUTH2_PROVIDER,
        "OIDC_RSA_PRIVATE_KEY": new_pem,
        "OIDC_RSA_PRIVATE_KEYS_INACTIVE": [old_pem],
    }
    published = signed_in.get("/o/.well-known/jwks.json").json()["keys"]
    after = tokens_for(signed_in, tenant)["id_token"]

    assert [(key["kid"], key["alg"], key["use"], key["kty"]) for key in published] == [
        (new_kid, "RS256", "sig", "RSA"),
        (old_kid, "RS256", "sig", "RSA"),
    ]
    assert all("d" not in key for key in published)  # public halves only
    assert id_token_claims(signed_in, before)[0]["kid"] == old_kid
    assert id_token_claims(signed_in, after)[0]["kid"] == new_kid


def test_keys_come_from_the_environment_before_any_local_key(tmp_path: Path) -> None:
    active, retired_one, retired_two = (keys.generate_private_key() for _ in range(3))
    retired_file = tmp_path / "retired.pem"
    retired_file.write_text(retired_two)

    configured = keys.signing_keys(
        active_pem=active, inactive_pems=retired_one, inactive_files=[str(retired_file)], local_dir=tmp_path / "local"
    )

    assert configured == (active, [retired_one, retired_two])
    assert not (tmp_path / "local").exists()
    assert keys.signing_keys() == ("", [])


def test_a_local_key_is_made_once_and_rotation_keeps_the_old_one_published(
    tmp_path: Path, settings: SettingsWrapper
) -> None:
    settings.OIDC_LOCAL_KEY_DIR = tmp_path
    first, retired = keys.signing_keys(local_dir=tmp_path)
    assert retired == []
    assert keys.signing_keys(local_dir=tmp_path) == (first, [])
    assert (tmp_path / "active.pem").stat().st_mode & 0o777 == 0o600

    out = StringIO()
    call_command("generate_oidc_key", "--rotate-local", stdout=out)

    second, retired = keys.signing_keys(local_dir=tmp_path)
    assert second != first
    assert retired == [first]
    assert "retired" in out.getvalue()


def test_the_command_prints_a_new_key_for_a_deployment() -> None:
    out = StringIO()

    call_command("generate_oidc_key", stdout=out)

    assert keys.pem_blocks(out.getvalue()) == [out.getvalue()]
    assert RSAKey.import_key(out.getvalue()).is_private
