"""Accounts as only a store has them — customers' sign-up, links bound to their store, the profile's role and
permissions, members and their sessions — on real tenants, real mail. What every project's identity API does is the
kernel's contract (test_identity_contract.py)."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils.http import urlsafe_base64_decode

from tenant_app.access.models import Role
from tenant_app.accounts.models import RefreshFamily, User
from tenant_app.audit.models import AuditEvent
from tenant_app.tenancy.context import tenant_transaction
from tenantry_kernel.testing.mail import MailSink, link_in
from tenantry_kernel.testing.problems import problem

from .conftest import ShardTenant

PASSWORD = "a long enough passphrase"
NEW_PASSWORD = "another quite long passphrase"
MEMBER_PERMISSIONS = [
    "users.view",
    "users.create",
    "users.update",
    "users.delete",
    "roles.assign",
    "sessions.view",
    "sessions.delete",
]


def api(tenant: ShardTenant, method: str, path: str, body: Any = None, token: str = "", **extra: str) -> Any:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    client = Client(HTTP_HOST=tenant.host)
    return getattr(client, method)(path, body, content_type="application/json", headers=headers, **extra)


def sign_in(tenant: ShardTenant, email: str, password: str = PASSWORD, **extra: str) -> dict[str, str]:
    response = api(tenant, "post", "/api/v1/auth/sign-in/", {"email": email, "password": password}, **extra)
    assert response.status_code == 200, response.content
    tokens: dict[str, str] = response.json()
    return tokens


def link_params(message: Any) -> dict[str, str]:
    query = parse_qs(urlsplit(link_in(message)).query)
    return {"uid": query["uid"][0], "token": query["token"][0]}


def role(slug: str, permissions: list[str]) -> Role:
    """A role with exactly these permissions, and no second factor required (2FA is tested on its own)."""
    defaults = {"name": slug.title(), "permissions": permissions, "requires_two_factor": False}
    found, _ = Role.objects.update_or_create(slug=slug, defaults=defaults)
    return found


@pytest.fixture
def alpha(shard: tuple[str, list[ShardTenant]]) -> ShardTenant:
    tenant = shard[1][0]
    with tenant_transaction(tenant.route):
        role("customer", ["products.view"])
        owner = role("owner", MEMBER_PERMISSIONS)
        admin = role("admin", MEMBER_PERMISSIONS)
        User.objects.create_user("owner@example.test", PASSWORD, role=owner, email_verified_at="2026-01-01T00:00Z")
        User.objects.create_user("admin@example.test", PASSWORD, role=admin)
    return tenant


def events(tenant: ShardTenant, type_: str) -> list[AuditEvent]:
    with tenant_transaction(tenant.route):
        return list(AuditEvent.objects.filter(type=type_).select_related("actor"))


def test_sign_up_sends_a_verification_link_that_works_once(alpha: ShardTenant, mail: MailSink) -> None:
    created = api(alpha, "post", "/api/v1/auth/register/", {"email": "Ann@Example.test", "password": PASSWORD})
    assert created.status_code == 201, created.content
    assert created["Location"] == "/api/v1/auth/me/"  # the account, once signed in
    assert created.json()["email"] == "ann@example.test"
    assert created.json()["email_verified"] is False
    assert created.json()["role"] == {"slug": "customer", "name": "Customer"}

    (message,) = mail.wait_for("ann@example.test")
    assert message["Subject"] == "Confirm your email address"
    assert link_in(message).startswith(f"http://{alpha.host}/verify-email?")
    verified = api(alpha, "post", "/api/v1/auth/email/verify/", link_params(message))
    assert verified.status_code == 200, verified.content
    assert verified.json()["email_verified"] is True

    again = api(alpha, "post", "/api/v1/auth/email/verify/", link_params(message))
    assert again.status_code == 400
    assert problem(again)["errors"] == {"/token": ["This link was already used or is not valid; ask for a new one."]}
    assert [e.subject or (e.actor and e.actor.email) for e in events(alpha, "email_verified")] == ["ann@example.test"]


def test_sign_up_refuses_a_taken_address_and_a_weak_password(alpha: ShardTenant) -> None:
    taken = api(alpha, "post", "/api/v1/auth/register/", {"email": "OWNER@example.test", "password": PASSWORD})
    weak = api(alpha, "post", "/api/v1/auth/register/", {"email": "new@example.test", "password": "12345678"})

    assert taken.status_code == 400
    assert list(problem(taken)["errors"]) == ["/email"]
    assert weak.status_code == 400
    assert list(problem(weak)["errors"]) == ["/password"]
    with tenant_transaction(alpha.route):
        assert not User.objects.filter(email="new@example.test").exists()


def test_a_verification_link_of_one_store_does_not_work_on_another(
    shard: tuple[str, list[ShardTenant]], alpha: ShardTenant, mail: MailSink
) -> None:
    bravo = shard[1][1]
    api(alpha, "post", "/api/v1/auth/register/", {"email": "ann@example.test", "password": PASSWORD})
    (message,) = mail.wait_for("ann@example.test")
    alpha_id = int(urlsafe_base64_decode(link_params(message)["uid"]))
    with tenant_transaction(bravo.route):  # the other store has a user with the same id and address
        for number in range(alpha_id - 1):
            User.objects.create_user(f"filler{number}@example.test", PASSWORD)
        assert User.objects.create_user("ann@example.test", PASSWORD).pk == alpha_id

    elsewhere = api(bravo, "post", "/api/v1/auth/email/verify/", link_params(message))

    assert elsewhere.status_code == 400


def test_profile_shows_role_and_permissions_and_updates_the_name(alpha: ShardTenant) -> None:
    tokens = sign_in(alpha, "owner@example.test")

    updated = api(alpha, "patch", "/api/v1/auth/me/", {"full_name": "Olive Owner"}, token=tokens["access"])

    assert updated.status_code == 200
    body = updated.json()
    assert (body["full_name"], body["role"]["slug"], body["tenant"]) == ("Olive Owner", "owner", alpha.slug)
    assert body["permissions"] == sorted(MEMBER_PERMISSIONS)


def test_an_invited_member_sets_a_password_from_the_email_and_signs_in(alpha: ShardTenant, mail: MailSink) -> None:
    owner = sign_in(alpha, "owner@example.test")

    invited = api(alpha, "post", "/api/v1/users/", {"email": "Sam@example.test", "role": "admin"},
                  token=owner["access"])  # fmt: skip

    assert invited.status_code == 201, invited.content
    assert invited["Location"] == f"/api/v1/users/{invited.json()['id']}/"
    assert invited.json()["role"]["slug"] == "admin"
    (message,) = mail.wait_for("sam@example.test")
    assert message["Subject"] == "You are invited"
    assert "/accept-invitation?" in link_in(message)
    accepted = api(alpha, "post", "/api/v1/auth/password/reset/confirm/",
                   {**link_params(message), "password": NEW_PASSWORD})  # fmt: skip
    assert accepted.status_code == 204
    me = api(alpha, "get", "/api/v1/auth/me/", token=sign_in(alpha, "sam@example.test", NEW_PASSWORD)["access"]).json()
    assert me["email_verified"] is True
    unknown_role = api(alpha, "post", "/api/v1/users/", {"email": "x@example.test", "role": "wizard"},
                       token=owner["access"])  # fmt: skip
    assert unknown_role.status_code == 400
    assert list(problem(unknown_role)["errors"]) == ["/role"]


def test_members_are_listed_filtered_and_managed_only_with_permission(alpha: ShardTenant) -> None:
    owner = sign_in(alpha, "owner@example.test")
    api(alpha, "post", "/api/v1/auth/register/", {"email": "cat@example.test", "password": PASSWORD})
    customer = sign_in(alpha, "cat@example.test")

    admins = api(alpha, "get", "/api/v1/users/?role=admin", token=owner["access"])
    forbidden = api(alpha, "get", "/api/v1/users/", token=customer["access"])

    assert [u["email"] for u in admins.json()["results"]] == ["admin@example.test"]
    assert forbidden.status_code == 403
    assert problem(forbidden)["code"] == "forbidden"
    assert api(alpha, "get", "/api/v1/users/").status_code == 401
    assert api(alpha, "get", "/api/v1/users/999999/", token=owner["access"]).status_code == 404


def test_deactivating_a_member_signs_them_out_and_the_last_owner_stays(alpha: ShardTenant) -> None:
    owner = sign_in(alpha, "owner@example.test")
    admin = sign_in(alpha, "admin@example.test")
    with tenant_transaction(alpha.route):
        owner_id = User.objects.get(email="owner@example.test").pk
        admin_id = User.objects.get(email="admin@example.test").pk

    last_owner = api(alpha, "delete", f"/api/v1/users/{owner_id}/", token=admin["access"])
    self_ = api(alpha, "delete", f"/api/v1/users/{admin_id}/", token=admin["access"])
    gone = api(alpha, "delete", f"/api/v1/users/{admin_id}/", token=owner["access"])

    assert (last_owner.status_code, problem(last_owner)["code"]) == (409, "last_owner")
    assert (self_.status_code, problem(self_)["code"]) == (409, "cannot_deactivate_self")
    assert gone.status_code == 204
    assert api(alpha, "get", "/api/v1/auth/me/", token=admin["access"]).status_code == 401
    failed = api(alpha, "post", "/api/v1/auth/sign-in/", {"email": "admin@example.test", "password": PASSWORD})
    assert failed.status_code == 401
    back = api(alpha, "patch", f"/api/v1/users/{admin_id}/", {"is_active": True}, token=owner["access"])
    assert back.json()["is_active"] is True
    sign_in(alpha, "admin@example.test")


def test_an_admin_sees_and_ends_a_members_sessions(alpha: ShardTenant) -> None:
    owner = sign_in(alpha, "owner@example.test")
    admin = sign_in(alpha, "admin@example.test", HTTP_USER_AGENT="tablet")
    with tenant_transaction(alpha.route):
        admin_id = User.objects.get(email="admin@example.test").pk
        family = RefreshFamily.objects.get(user_id=admin_id)

    listed = api(alpha, "get", f"/api/v1/users/{admin_id}/sessions/", token=owner["access"])
    ended = api(alpha, "delete", f"/api/v1/users/{admin_id}/sessions/{family.id}/", token=owner["access"])
    not_an_id = api(alpha, "delete", f"/api/v1/users/{admin_id}/sessions/{'0' * 36}/", token=owner["access"])

    assert [s["user_agent"] for s in listed.json()["results"]] == ["tablet"]
    assert (listed.json()["next"], listed.json()["previous"]) == (None, None)
    assert ended.status_code == 204
    assert (not_an_id.status_code, problem(not_an_id)["code"]) == (404, "not_found")  # names no session
    assert api(alpha, "get", "/api/v1/auth/me/", token=admin["access"]).status_code == 401


def test_listing_members_takes_the_same_queries_for_few_and_many(alpha: ShardTenant) -> None:
    owner = sign_in(alpha, "owner@example.test")

    def queries_for_list() -> int:
        with CaptureQueriesContext(connection) as queries:
            response = api(alpha, "get", "/api/v1/users/", token=owner["access"])
        assert response.status_code == 200
        return len(queries)

    queries_for_list()  # warms the policy engine's per-tenant cache
    few = queries_for_list()
    with tenant_transaction(alpha.route):
        staff = role("staff", [])
        for number in range(20):
            User.objects.create_user(f"member{number}@example.test", PASSWORD, role=staff)
    many = queries_for_list()

    assert many == few


def test_listing_a_members_sessions_takes_the_same_queries_for_few_and_many(alpha: ShardTenant) -> None:
    owner = sign_in(alpha, "owner@example.test")
    with tenant_transaction(alpha.route):
        owner_id = User.objects.get(email="owner@example.test").pk

    def queries_for(path: str) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert api(alpha, "get", path, token=owner["access"]).status_code == 200
        return len(queries)

    path = f"/api/v1/users/{owner_id}/sessions/"
    queries_for(path)  # warms the policy engine's per-tenant cache
    few = queries_for(path)
    for _ in range(6):
        sign_in(alpha, "owner@example.test")
    many = queries_for(path)

    assert many == few
