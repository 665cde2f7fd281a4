"""Two-factor as only a store has it: a challenge works on its own store only, and single sign-on passes the same
second factor. What every project's two-factor does is the kernel's identity contract (test_identity_contract.py)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client, RequestFactory

from tenant_app.accounts.actions import complete_sign_in
from tenant_app.accounts.models import RefreshFamily, User
from tenant_app.tenancy.context import tenant_transaction
from tenantry_kernel.identity.challenges import SecondFactorChallenge
from tenantry_kernel.testing.identity_contract import tampered
from tenantry_kernel.testing.problems import problem
from tenantry_kernel.testing.totp import Authenticator

from .conftest import ShardTenant

PASSWORD = "a long enough passphrase"
EMAIL = "owner@example.test"
AUTH = "/api/v1/auth"


def call(tenant: ShardTenant, method: str, path: str, body: Any = None, token: str = "") -> Any:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    client = Client(HTTP_HOST=tenant.host)
    if method == "post":
        return client.post(path, body, content_type="application/json", headers=headers)
    return client.get(path, headers=headers)


def sign_in(tenant: ShardTenant) -> dict[str, Any]:
    response = call(tenant, "post", f"{AUTH}/sign-in/", {"email": EMAIL, "password": PASSWORD})
    assert response.status_code == 200, response.content
    result: dict[str, Any] = response.json()
    return result


def answer(tenant: ShardTenant, challenge: str, code: str) -> Any:
    return call(tenant, "post", f"{AUTH}/sign-in/challenge/", {"challenge": challenge, "code": code})


def enrol(tenant: ShardTenant) -> tuple[Authenticator, list[str]]:
    """Turn two-factor on for the owner through the API, as the settings page would."""
    access = sign_in(tenant)["access"]
    started = call(tenant, "post", f"{AUTH}/two-factor/totp/", token=access)
    assert started.status_code == 201, started.content
    app = Authenticator(started.json()["otpauth_uri"])
    confirmed = call(tenant, "post", f"{AUTH}/two-factor/totp/confirm/", {"code": app.code()}, token=access)
    assert confirmed.status_code == 200, confirmed.content
    return app, confirmed.json()["backup_codes"]


@pytest.fixture
def tenants(shard: tuple[str, list[ShardTenant]]) -> list[ShardTenant]:
    """Both tenants have an owner account with the same email (different stores, different people)."""
    _, tenants = shard
    for tenant in tenants:
        with tenant_transaction(tenant.route):
            User.objects.create_user(EMAIL, PASSWORD)
    return tenants


def test_a_challenge_works_on_its_own_store_only(tenants: list[ShardTenant]) -> None:
    alpha, bravo = tenants
    app, _ = enrol(alpha)
    challenge = sign_in(alpha)["challenge"]
    enrol(bravo)
    bravo_challenge = sign_in(bravo)["challenge"]

    elsewhere = answer(bravo, challenge, app.next_code())
    forged_elsewhere = answer(bravo, tampered(challenge), app.next_code())

    assert (elsewhere.status_code, problem(elsewhere)["code"]) == (401, "challenge_wrong_tenant")
    assert problem(forged_elsewhere)["code"] == "challenge_invalid"
    assert problem(answer(alpha, bravo_challenge, app.next_code()))["code"] == "challenge_wrong_tenant"
    # None of that spent the challenge.
    assert answer(alpha, challenge, app.code()).status_code == 200


def test_every_way_of_signing_in_passes_the_second_factor(tenants: list[ShardTenant]) -> None:
    alpha = tenants[0]
    app, _ = enrol(alpha)
    request = RequestFactory().post("/", HTTP_HOST=alpha.host)
    request.tenant = alpha.slug  # type: ignore[attr-defined]

    # An identity provider vouched for the user (the SSO flow ends in the same call as the password one).
    with tenant_transaction(alpha.route):
        result = complete_sign_in(request, User.objects.get(), method="sso:platform")

    assert isinstance(result, SecondFactorChallenge)
    assert answer(alpha, result.challenge, app.code()).status_code == 200
    with tenant_transaction(alpha.route):
        assert RefreshFamily.objects.order_by("-created_at").values_list("method", flat=True)[0] == "sso:platform+2fa"
