"""Tokens of one store are worthless on another (the rest of signing in is the kernel's identity contract,
test_identity_contract.py)."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from tenant_app.tenancy.context import tenant_transaction
from tenantry_kernel.testing.problems import problem

from .conftest import ShardTenant

PASSWORD = "a long enough passphrase"
AUTH = "/api/v1/auth"


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
    return Client().get(f"{AUTH}/me/", HTTP_HOST=tenant.host, HTTP_AUTHORIZATION=f"Bearer {access}")


def sign_in(tenant: ShardTenant) -> dict[str, str]:
    response = post(tenant, f"{AUTH}/sign-in/", {"email": "Owner@Example.test", "password": PASSWORD})
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
    refreshed_elsewhere = post(bravo, f"{AUTH}/refresh/", {"refresh": tokens["refresh"]})
    assert refreshed_elsewhere.status_code == 401
    assert problem(refreshed_elsewhere)["code"] == "token_wrong_tenant"
    signed_out_elsewhere = post(bravo, f"{AUTH}/sign-out/", {"refresh": tokens["refresh"]})
    assert (signed_out_elsewhere.status_code, problem(signed_out_elsewhere)["code"]) == (401, "token_wrong_tenant")
    # None of that spent the refresh token or ended the session.
    assert post(alpha, f"{AUTH}/refresh/", {"refresh": tokens["refresh"]}).status_code == 200
