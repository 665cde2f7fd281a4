"""Cross-tenant isolation, end to end: another store's token, another store's ids, another store's schema.

Both stores have the same people (same emails, same roles) and B has more rows than A,
so every id that exists only in B is a real row there and nothing in A.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.db.utils import ProgrammingError
from django.test import Client
from strawberry import relay

from tenant_app.access.models import Policy, Role
from tenant_app.accounts.models import RefreshFamily, User
from tenant_app.tenancy.context import tenant_transaction
from tenantry_kernel.testing.problems import problem

from .conftest import ShardTenant

PASSWORD = "a long enough passphrase"
EVERYTHING = ["users.view", "users.update", "users.delete", "roles.view", "roles.update", "roles.delete",
              "roles.assign", "policies.view", "policies.update", "policies.delete", "audit.view",
              "sessions.view", "sessions.delete"]  # fmt: skip


def api(tenant: ShardTenant, method: str, path: str, token: str, body: Any = None) -> Any:
    client = Client(HTTP_HOST=tenant.host)
    headers = {"Authorization": f"Bearer {token}"}
    return getattr(client, method)(path, body, content_type="application/json", headers=headers)


def seed(tenant: ShardTenant, extra_people: int) -> dict[str, int | str]:
    """An admin who may do everything, `extra_people` more members, a custom role, a policy and a session."""
    with tenant_transaction(tenant.route):
        admin_role, _ = Role.objects.update_or_create(
            slug="admin", defaults={"name": "Admin", "permissions": EVERYTHING, "requires_two_factor": False}
        )
        User.objects.create_user("admin@example.test", PASSWORD, role=admin_role)
        for number in range(extra_people):
            User.objects.create_user(f"person{number}@example.test", PASSWORD)
    tokens = Client(HTTP_HOST=tenant.host).post(
        "/api/v1/auth/sign-in/", {"email": "admin@example.test", "password": PASSWORD}, content_type="application/json"
    )
    assert tokens.status_code == 200, tokens.content
    with tenant_transaction(tenant.route):
        last = User.objects.order_by("-id").first()
        assert last is not None
        for number in range(extra_people):
            custom = Role.objects.create(slug=f"custom-{number}", name="Custom", permissions=["users.view"])
            policy = Policy.objects.create(name=f"policy-{number}", effect="deny", actions=["users.delete"],
                                           condition="false")  # fmt: skip
        session = RefreshFamily.objects.filter(user__email="admin@example.test").get()
    return {"access": tokens.json()["access"], "user": last.pk, "role": custom.slug, "policy": policy.name,
            "session": str(session.id)}  # fmt: skip


@pytest.fixture
def stores(shard: tuple[str, list[ShardTenant]]) -> tuple[ShardTenant, dict[str, Any], ShardTenant, dict[str, Any]]:
    _, (alpha, bravo) = shard
    return alpha, seed(alpha, extra_people=1), bravo, seed(bravo, extra_people=5)


AUTHENTICATED_GETS = ["/api/v1/auth/me/", "/api/v1/users/", "/api/v1/roles/", "/api/v1/policies/",
                      "/api/v1/permissions/", "/api/v1/audit-events/", "/api/v1/auth/sessions/",
                      "/api/v1/auth/two-factor/"]  # fmt: skip


@pytest.mark.parametrize("path", AUTHENTICATED_GETS)
def test_a_token_of_store_a_is_refused_on_store_b(stores: Any, path: str) -> None:
    alpha, a, bravo, _ = stores

    mine = api(alpha, "get", path, a["access"])
    theirs = api(bravo, "get", path, a["access"])

    assert mine.status_code == 200, mine.content
    assert theirs.status_code == 401
    assert problem(theirs)["code"] == "token_wrong_tenant"


def b_only_paths(b: dict[str, Any]) -> list[tuple[str, str, Any]]:
    return [
        ("get", f"/api/v1/users/{b['user']}/", None),
        ("patch", f"/api/v1/users/{b['user']}/", {"full_name": "Mallory"}),
        ("delete", f"/api/v1/users/{b['user']}/", None),
        ("get", f"/api/v1/users/{b['user']}/sessions/", None),
        ("put", f"/api/v1/users/{b['user']}/role/", {"role": "admin"}),
        ("get", f"/api/v1/roles/{b['role']}/", None),
        ("patch", f"/api/v1/roles/{b['role']}/", {"name": "Mallory"}),
        ("delete", f"/api/v1/roles/{b['role']}/", None),
        ("get", f"/api/v1/policies/{b['policy']}/", None),
        ("delete", f"/api/v1/policies/{b['policy']}/", None),
        ("delete", f"/api/v1/auth/sessions/{b['session']}/", None),
    ]


def test_ids_of_store_b_are_not_found_from_store_a_and_nothing_changes(stores: Any) -> None:
    alpha, a, bravo, b = stores
    assert b["user"] > a["user"]
    assert (b["role"], b["policy"]) != (a["role"], a["policy"])  # roles by slug, policies by name

    answers = {(method, path): api(alpha, method, path, a["access"], body) for method, path, body in b_only_paths(b)}

    assert {key: response.status_code for key, response in answers.items()} == {key: 404 for key in answers}
    assert all(problem(response)["code"] == "not_found" for response in answers.values())
    with tenant_transaction(bravo.route):
        person = User.objects.get(pk=b["user"])
        assert (person.full_name, person.is_active, person.role) == ("", True, None)
        assert Role.objects.filter(slug=b["role"], name="Custom").exists()
        assert Policy.objects.filter(name=b["policy"]).exists()
        assert RefreshFamily.objects.get(id=b["session"]).revoked_at is None


def test_raw_sql_as_store_a_cannot_touch_store_b(stores: Any) -> None:
    alpha, _, bravo, _ = stores
    quote = connection.ops.quote_name

    with tenant_transaction(alpha.route), connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM accounts_user")
        assert cursor.fetchone() == (2,)
        for statement in (
            f"SELECT count(*) FROM {quote(bravo.route.schema_name)}.accounts_user",
            f"UPDATE {quote(bravo.route.schema_name)}.accounts_user SET full_name = 'x'",
            f"DELETE FROM {quote(bravo.route.schema_name)}.access_role",
        ):
            cursor.execute("SAVEPOINT probe")
            with pytest.raises(ProgrammingError, match="permission denied"):
                cursor.execute(statement)
            cursor.execute("ROLLBACK TO SAVEPOINT probe")


def graphql(tenant: ShardTenant, token: str, query: str, **variables: Any) -> Any:
    return api(tenant, "post", "/graphql/", token, {"query": query, "variables": variables})


def test_through_graphql_a_token_of_store_a_is_refused_on_store_b(stores: Any) -> None:
    alpha, a, bravo, _ = stores

    mine = graphql(alpha, a["access"], "{ me { email } }")
    theirs = graphql(bravo, a["access"], "{ me { email } }")

    assert mine.json() == {"data": {"me": {"email": "admin@example.test"}}}
    assert theirs.status_code == 401
    assert problem(theirs)["code"] == "token_wrong_tenant"


def test_through_graphql_ids_of_store_b_are_not_found_from_store_a(stores: Any) -> None:
    alpha, a, bravo, b = stores
    user_id = str(relay.GlobalID("User", str(b["user"])))

    found = graphql(alpha, a["access"], "query($id: ID!) { user(id: $id) { email } }", id=user_id).json()
    assigned = graphql(
        alpha, a["access"], 'mutation($id: ID!) { assignRole(userId: $id, role: "admin") { email } }', id=user_id
    ).json()
    revoked = graphql(
        alpha, a["access"], "mutation($id: ID!) { revokeMySession(id: $id) { id } }", id=b["session"]
    ).json()

    for answer in (found, assigned, revoked):
        assert [error["extensions"]["code"] for error in answer["errors"]] == ["NOT_FOUND"], answer
    with tenant_transaction(bravo.route):
        assert User.objects.get(pk=b["user"]).role is None
        assert RefreshFamily.objects.get(id=b["session"]).revoked_at is None
