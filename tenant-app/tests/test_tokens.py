"""Sign-in and tokens on real tenants of a shard: tenant-bound, rotating, reuse-detecting."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from tenant_app.tenancy.context import tenant_transaction
from tenantry_kernel.testing.problems import field_errors, problem

from .conftest import ShardTenant

PASSWORD = "a long enough passphrase"


@pytest.fixture
def accounts(shard: tuple[str, list[ShardTenant]]) -> list[ShardTenant]:
    """Each tenant has its own owner account (same email, different stores)."""
    _, tenants = shard
    for tenant in tenants:
        with tenant_transaction(tenant.route):
            get_user_model().objects.create_user("owner@example.test", PASSWORD)
    return tenants


def post(tenant: ShardTenant, path: str, body: dict[str, Any]) -> Any:
    return Client().post(path, body, content_type="application/json", HTTP_HOST=tenant.host)


def me(tenant: ShardTenant, access: str) -> Any:
    return Client().get("/api/v1/me/", HTTP_HOST=tenant.host, HTTP_AUTHORIZATION=f"Bearer {access}")


def sign_in(tenant: ShardTenant) -> dict[str, str]:
    response = post(tenant, "/api/v1/auth/token/", {"email": "Owner@Example.test", "password": PASSWORD})
    assert response.status_code == 200, response.content
    tokens: dict[str, str] = response.json()
    return tokens


def test_a_token_works_on_its_tenant_and_is_refused_on_another(accounts: list[ShardTenant]) -> None:
    alpha, bravo = accounts

    tokens = sign_in(alpha)

    mine = me(alpha, tokens["access"])
    assert mine.status_code == 200
    assert mine.json()["tenant"] == alpha.slug
    theirs = me(bravo, tokens["access"])
    assert theirs.status_code == 401
    assert problem(theirs)["code"] == "token_wrong_tenant"
    refreshed_elsewhere = post(bravo, "/api/v1/auth/token/refresh/", {"refresh": tokens["refresh"]})
    assert refreshed_elsewhere.status_code == 401


def test_wrong_password_gets_a_machine_readable_401(accounts: list[ShardTenant]) -> None:
    response = post(accounts[0], "/api/v1/auth/token/", {"email": "owner@example.test", "password": "nope"})

    assert response.status_code == 401
    assert problem(response) == {"code": "invalid_credentials", "detail": "The email or password is wrong."}


def test_missing_fields_are_named(accounts: list[ShardTenant]) -> None:
    response = post(accounts[0], "/api/v1/auth/token/", {"email": "owner@example.test"})

    assert response.status_code == 400
    assert problem(response)["code"] == "invalid"
    assert list(field_errors(response)) == ["/password"]


def test_refresh_rotates_and_a_reused_refresh_token_revokes_the_family(accounts: list[ShardTenant]) -> None:
    alpha = accounts[0]
    first = sign_in(alpha)

    second = post(alpha, "/api/v1/auth/token/refresh/", {"refresh": first["refresh"]})
    assert second.status_code == 200
    rotated = second.json()
    assert rotated["refresh"] != first["refresh"]
    assert me(alpha, rotated["access"]).status_code == 200

    # The first refresh token comes back (stolen): the whole family is signed out.
    reused = post(alpha, "/api/v1/auth/token/refresh/", {"refresh": first["refresh"]})
    assert reused.status_code == 401
    assert problem(reused)["code"] == "token_reused"
    assert post(alpha, "/api/v1/auth/token/refresh/", {"refresh": rotated["refresh"]}).status_code == 401
    assert problem(me(alpha, rotated["access"]))["code"] == "token_revoked"
    # Another sign-in is a new family and works.
    assert me(alpha, sign_in(alpha)["access"]).status_code == 200


def test_logout_revokes_the_session(accounts: list[ShardTenant]) -> None:
    alpha = accounts[0]
    tokens = sign_in(alpha)

    response = post(alpha, "/api/v1/auth/logout/", {"refresh": tokens["refresh"]})

    assert response.status_code == 204
    assert me(alpha, tokens["access"]).status_code == 401
    assert post(alpha, "/api/v1/auth/token/refresh/", {"refresh": tokens["refresh"]}).status_code == 401
