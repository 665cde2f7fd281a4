"""The GraphQL API on real tenants: REST's tokens and policies, tenant isolation, limits and no N+1."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from strawberry import relay

from tenant_app.access.models import Role
from tenant_app.accounts.models import User
from tenant_app.audit.actions import record_security_event
from tenant_app.audit.models import AuditEvent, AuditEventType
from tenant_app.tenancy.context import tenant_transaction
from tenantry_kernel.testing.mail import MailSink
from tenantry_kernel.testing.problems import field_errors, problem

from .conftest import ShardTenant

PASSWORD = "a long enough passphrase"


def add_user(tenant: ShardTenant, name: str, role: str = "customer") -> int:
    """A member with a built-in role: admins may see and manage people, customers only shop."""
    with tenant_transaction(tenant.route):
        return User.objects.create_user(f"{name}@example.test", PASSWORD, role=Role.objects.get(slug=role)).pk


@pytest.fixture
def tenants(shard: tuple[str, list[ShardTenant]]) -> list[ShardTenant]:
    """alpha and bravo, each with an admin and a customer."""
    for tenant in shard[1]:
        with tenant_transaction(tenant.route):
            # Second factors are tested elsewhere: these stores let admins sign in with a password.
            Role.objects.update(requires_two_factor=False)
        add_user(tenant, "admin", "admin")
        add_user(tenant, "customer", "customer")
    return shard[1]


def sign_in(tenant: ShardTenant, name: str) -> dict[str, str]:
    response = Client().post(
        "/api/v1/auth/sign-in/",
        {"email": f"{name}@example.test", "password": PASSWORD},
        content_type="application/json",
        HTTP_HOST=tenant.host,
    )
    assert response.status_code == 200, response.content
    tokens: dict[str, str] = response.json()
    return tokens


def token(tenant: ShardTenant, name: str) -> str:
    return sign_in(tenant, name)["access"]


def graphql(tenant: ShardTenant, query: str, access: str = "", **variables: Any) -> Any:
    headers = {"Authorization": f"Bearer {access}"} if access else {}
    return Client().post(
        "/graphql/",
        {"query": query, "variables": variables},
        content_type="application/json",
        HTTP_HOST=tenant.host,
        headers=headers,
    )


def codes(body: dict[str, Any]) -> list[str]:
    return [error["extensions"]["code"] for error in body.get("errors", [])]


def global_id(type_name: str, pk: int) -> str:
    return str(relay.GlobalID(type_name, str(pk)))


def test_me_is_the_signed_in_user(tenants: list[ShardTenant]) -> None:
    alpha = tenants[0]

    response = graphql(alpha, "{ me { email fullName emailVerified isActive role { slug } } }", token(alpha, "admin"))

    assert response.status_code == 200
    assert response.json() == {
        "data": {
            "me": {
                "email": "admin@example.test",
                "fullName": "",
                "emailVerified": False,
                "isActive": True,
                "role": {"slug": "admin"},
            }
        }
    }


def test_anonymous_requests_get_unauthenticated_errors_not_data(tenants: list[ShardTenant]) -> None:
    response = graphql(tenants[0], "{ me { email } }")

    assert response.status_code == 200
    body = response.json()
    assert body["data"] is None
    assert codes(body) == ["UNAUTHENTICATED"]
    assert body["errors"][0]["path"] == ["me"]
    assert graphql(tenants[0], "{ __typename }").json() == {"data": {"__typename": "Query"}}


def test_users_are_listed_with_their_roles_and_filtered(tenants: list[ShardTenant]) -> None:
    alpha = tenants[0]
    access = token(alpha, "admin")

    everyone = graphql(alpha, "{ users { totalCount edges { node { email role { slug } } } } }", access)
    customers = graphql(
        alpha,
        "query($f: UserFilter) { users(filters: $f) { edges { node { email } } } }",
        access,
        f={"role": "customer", "emailContains": "CUST", "isActive": True},
    )

    listed = everyone.json()["data"]["users"]
    assert listed["totalCount"] == 2
    assert [(e["node"]["email"], e["node"]["role"]["slug"]) for e in listed["edges"]] == [
        ("admin@example.test", "admin"),
        ("customer@example.test", "customer"),
    ]
    assert [e["node"]["email"] for e in customers.json()["data"]["users"]["edges"]] == ["customer@example.test"]


def test_users_are_paged_by_cursor(tenants: list[ShardTenant]) -> None:
    alpha = tenants[0]
    access = token(alpha, "admin")
    page = """query($after: String) {
        users(first: 1, after: $after) { pageInfo { hasNextPage endCursor } edges { node { email } } }
    }"""

    first = graphql(alpha, page, access).json()["data"]["users"]
    second = graphql(alpha, page, access, after=first["pageInfo"]["endCursor"]).json()["data"]["users"]
    garbage = graphql(alpha, page, access, after="not a cursor").json()
    nested_garbage = graphql(alpha, '{ roles { users(after: "bad") { totalCount } } }', access).json()
    too_large = graphql(alpha, "{ users(first: 101) { totalCount } }", access).json()

    assert [e["node"]["email"] for e in first["edges"] + second["edges"]] == [
        "admin@example.test",
        "customer@example.test",
    ]
    assert (first["pageInfo"]["hasNextPage"], second["pageInfo"]["hasNextPage"]) == (True, False)
    assert garbage["data"] is None
    assert codes(garbage) == ["BAD_USER_INPUT"]
    assert garbage["errors"][0]["message"].startswith("Invalid page (")
    assert codes(nested_garbage) == codes(too_large) == ["BAD_USER_INPUT"]
    assert too_large["errors"][0]["extensions"]["reason"] == "invalid_page"


def test_a_customer_without_users_view_is_forbidden(tenants: list[ShardTenant]) -> None:
    alpha = tenants[0]
    access = token(alpha, "customer")

    listed = graphql(alpha, "{ users { totalCount } }", access).json()
    looked_up = graphql(alpha, "query($id: ID!) { user(id: $id) { email } }", access, id=global_id("User", 1)).json()

    assert listed["data"] is None
    assert codes(listed) == ["FORBIDDEN"]
    assert listed["errors"][0]["extensions"]["reason"] == "forbidden"
    assert "users.view" in listed["errors"][0]["message"]
    assert looked_up["data"] == {"user": None}
    assert codes(looked_up) == ["FORBIDDEN"]


def test_a_token_of_another_tenant_is_refused_with_rests_401(tenants: list[ShardTenant]) -> None:
    alpha, bravo = tenants

    response = graphql(bravo, "{ me { email } }", token(alpha, "admin"))

    assert response.status_code == 401
    assert problem(response) == {"code": "token_wrong_tenant", "detail": "This token was issued for another store."}
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'


def test_another_tenants_user_id_is_not_found(tenants: list[ShardTenant]) -> None:
    alpha, bravo = tenants
    bravo_only = add_user(bravo, "bravo-only")
    with tenant_transaction(alpha.route):
        assert not User.objects.filter(pk=bravo_only).exists()  # alpha's id sequence never got there
        alpha_admin = User.objects.get(email="admin@example.test").pk
    access = token(alpha, "admin")
    query = "query($id: ID!) { user(id: $id) { email } }"

    theirs = graphql(alpha, query, access, id=global_id("User", bravo_only)).json()
    mine = graphql(alpha, query, access, id=global_id("User", alpha_admin)).json()
    not_a_user = graphql(alpha, query, access, id=global_id("AuditEvent", alpha_admin)).json()
    malformed = graphql(alpha, query, access, id="not base64!").json()

    assert theirs["data"] == {"user": None}
    assert codes(theirs) == ["NOT_FOUND"]
    assert mine == {"data": {"user": {"email": "admin@example.test"}}}
    assert codes(not_a_user) == ["NOT_FOUND"]
    assert codes(malformed) == ["BAD_USER_INPUT"]


def test_a_revoked_session_is_refused_before_the_query_runs(tenants: list[ShardTenant]) -> None:
    alpha = tenants[0]
    tokens = sign_in(alpha, "admin")
    Client().post(
        "/api/v1/auth/sign-out/", {"refresh": tokens["refresh"]}, content_type="application/json", HTTP_HOST=alpha.host
    )

    response = graphql(alpha, "{ me { email } }", tokens["access"])

    assert response.status_code == 401
    assert problem(response)["code"] == "token_revoked"


# Roles list their members and members their role: a cycle a client could nest without end.
# Depth counts from 0 at the top field: this is depth 9.
NESTED_TOO_DEEP = "{ roles { users { edges { node { role { users { edges { node { role { slug } } } } } } } } } }"


@pytest.mark.parametrize(
    ("query", "message"),
    [
        (NESTED_TOO_DEEP, "'anonymous' exceeds maximum operation depth of 8"),
        ("{ " + " ".join(f"a{n}: __typename" for n in range(16)) + " }", "16 aliases found. Allowed: 15"),
        ("{ " + "__typename " * 2001 + "}", "Syntax Error: Document contains more than 2000 tokens. Parsing aborted."),
    ],
    ids=["depth", "aliases", "tokens"],
)
def test_limits_refuse_a_costly_query_before_it_runs(tenants: list[ShardTenant], query: str, message: str) -> None:
    alpha = tenants[0]

    response = graphql(alpha, query, token(alpha, "admin"))

    assert response.status_code == 200
    body = response.json()
    assert body["data"] is None
    assert [error["message"] for error in body["errors"]] == [message]
    assert codes(body) == ["GRAPHQL_VALIDATION_FAILED"]


def test_a_role_lists_its_members_within_the_depth_limit(tenants: list[ShardTenant]) -> None:
    alpha = tenants[0]

    body = graphql(alpha, "{ roles { slug users { edges { node { email } } } } }", token(alpha, "admin")).json()

    members = {role["slug"]: [e["node"]["email"] for e in role["users"]["edges"]] for role in body["data"]["roles"]}
    assert members == {
        "owner": [],
        "admin": ["admin@example.test"],
        "manager": [],
        "staff": [],
        "customer": ["customer@example.test"],
    }


def queries_for(tenant: ShardTenant, access: str, query: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = graphql(tenant, query, access)
    assert response.status_code == 200
    assert "errors" not in response.json(), response.json()
    return len(captured)


@pytest.mark.parametrize(
    "query",
    [
        "{ users { edges { node { email role { slug } } } } }",
        "{ auditEvents { edges { node { type actor { email role { slug } } } } } }",
        "{ roles { slug users { edges { node { email role { name } } } } } }",
    ],
    ids=["users-role", "audit-events-actor", "roles-users"],
)
def test_queries_cost_the_same_for_few_and_many_rows(tenants: list[ShardTenant], query: str, settings: Any) -> None:
    alpha = tenants[0]
    access = token(alpha, "admin")
    # The roles and policies, loaded by the first request, stay cached for both measured ones.
    settings.ACCESS_POLICY_TTL = 3600
    queries_for(alpha, access, query)

    def grow_to(rows: int) -> None:
        """As many users, roles and audit events: each member in a role of their own, each event by another."""
        with tenant_transaction(alpha.route):
            for n in range(User.objects.count(), rows):
                role = Role.objects.create(slug=f"custom-{n}", name=f"Custom {n}")
                User.objects.create_user(f"member-{n}@example.test", PASSWORD, role=role)
            actors = list(User.objects.all())
            for n in range(AuditEvent.objects.count(), rows):
                record_security_event(None, AuditEventType.SIGN_IN, actor=actors[n % len(actors)])

    grow_to(3)
    few = queries_for(alpha, access, query)
    grow_to(12)
    many = queries_for(alpha, access, query)

    assert many == few


def test_my_profile_is_updated_through_the_action_with_rests_rules(tenants: list[ShardTenant]) -> None:
    alpha = tenants[0]
    access = token(alpha, "customer")
    mutation = "mutation($name: String!) { updateMyProfile(fullName: $name) { email fullName } }"

    updated = graphql(alpha, mutation, access, name="Casey Customer").json()
    too_long = graphql(alpha, mutation, access, name="x" * 151).json()

    assert updated == {"data": {"updateMyProfile": {"email": "customer@example.test", "fullName": "Casey Customer"}}}
    assert codes(too_long) == ["BAD_USER_INPUT"]
    assert list(field_errors(too_long["errors"][0]["extensions"])) == ["/full_name"]
    with tenant_transaction(alpha.route):
        assert User.objects.get(email="customer@example.test").full_name == "Casey Customer"


def test_a_session_of_mine_is_listed_and_revoked_and_audited(tenants: list[ShardTenant]) -> None:
    alpha = tenants[0]
    phone, laptop = sign_in(alpha, "customer")["access"], token(alpha, "customer")
    admins = token(alpha, "admin")
    sessions = graphql(alpha, "{ mySessions { id method active current } }", laptop).json()["data"]["mySessions"]
    phone_session = next(session for session in sessions if not session["current"])
    revoke = "mutation($id: ID!) { revokeMySession(id: $id) { id active } }"

    revoked = graphql(alpha, revoke, laptop, id=phone_session["id"]).json()
    not_mine = graphql(alpha, revoke, admins, id=phone_session["id"]).json()

    assert [(s["method"], s["active"]) for s in sessions] == [("password", True), ("password", True)]
    assert revoked == {"data": {"revokeMySession": {"id": phone_session["id"], "active": False}}}
    assert problem(graphql(alpha, "{ me { email } }", phone))["code"] == "token_revoked"
    assert graphql(alpha, "{ mySessions { id } }", laptop).json()["data"]["mySessions"] != sessions
    assert codes(not_mine) == ["NOT_FOUND"]
    with tenant_transaction(alpha.route):
        event = AuditEvent.objects.get(type=AuditEventType.SESSION_REVOKED)
        assert (event.actor.email if event.actor else None, event.details) == (
            "customer@example.test",
            {"family": phone_session["id"]},
        )


def test_audit_events_are_listed_newest_first_and_filtered_by_type(tenants: list[ShardTenant]) -> None:
    alpha = tenants[0]
    with tenant_transaction(alpha.route):
        record_security_event(None, AuditEventType.SIGN_IN_FAILED, subject="intruder@example.test")
    access = token(alpha, "admin")
    token(alpha, "customer")
    query = (
        "query($f: AuditEventFilter) { auditEvents(filters: $f) { edges { node { type subject actor { email } } } } }"
    )

    everything = graphql(alpha, query, access).json()["data"]["auditEvents"]["edges"]
    sign_ins = graphql(alpha, query, access, f={"type": "sign_in"}).json()["data"]["auditEvents"]["edges"]
    forbidden = graphql(alpha, query, token(alpha, "customer")).json()

    assert [(e["node"]["type"], (e["node"]["actor"] or {}).get("email", e["node"]["subject"])) for e in everything] == [
        ("sign_in", "customer@example.test"),
        ("sign_in", "admin@example.test"),
        ("sign_in_failed", "intruder@example.test"),
    ]
    assert [e["node"]["type"] for e in sign_ins] == ["sign_in", "sign_in"]
    assert codes(forbidden) == ["FORBIDDEN"]


def test_a_malformed_request_gets_the_standard_error_body(tenants: list[ShardTenant]) -> None:
    alpha = tenants[0]

    response = Client().post("/graphql/", "{not json", content_type="application/json", HTTP_HOST=alpha.host)

    # Read within REST's limits, and refused as REST refuses it.
    assert response.status_code == 400
    assert problem(response) == {
        "code": "parse_error",
        "detail": "The body is not valid UTF-8 JSON: "
        "Expecting property name enclosed in double quotes: line 1 column 2 (char 1)",
    }


ASSIGN_ROLE = """mutation($user: ID!, $role: String!) {
    assignRole(userId: $user, role: $role) { email role { slug } }
}"""


def test_assigning_a_role_goes_through_the_action_and_is_audited(tenants: list[ShardTenant]) -> None:
    alpha = tenants[0]
    with tenant_transaction(alpha.route):
        customer = User.objects.get(email="customer@example.test").pk
    member = global_id("User", customer)

    by_themselves = graphql(alpha, ASSIGN_ROLE, token(alpha, "customer"), user=member, role="admin").json()
    admin = token(alpha, "admin")
    promoted = graphql(alpha, ASSIGN_ROLE, admin, user=member, role="manager").json()
    to_owner = graphql(alpha, ASSIGN_ROLE, admin, user=member, role="owner").json()
    unknown = graphql(alpha, ASSIGN_ROLE, admin, user=member, role="emperor").json()

    assert codes(by_themselves) == ["FORBIDDEN"]
    assert promoted == {"data": {"assignRole": {"email": "customer@example.test", "role": {"slug": "manager"}}}}
    assert codes(to_owner) == ["FORBIDDEN"]  # only owners make owners
    assert codes(unknown) == ["BAD_USER_INPUT"]
    assert field_errors(unknown["errors"][0]["extensions"]) == {
        "/role": ["No role has the slug 'emperor'; see `roles`."]
    }
    # The facts of REST's problem details, next to GraphQL's own code.
    assert unknown["errors"][0]["message"] == "Some fields are invalid; see extensions.errors."
    assert unknown["errors"][0]["extensions"] == {
        "code": "BAD_USER_INPUT",
        "reason": "invalid",
        "status": 400,
        "type": "/api/problems/invalid",
        "errors": [
            {"pointer": "/role", "detail": "No role has the slug 'emperor'; see `roles`.", "code": "unknown_role"}
        ],
    }
    assert to_owner["errors"][0]["extensions"] == {
        "code": "FORBIDDEN",
        "reason": "forbidden",
        "status": 403,
        "type": "/api/problems/forbidden",
    }
    with tenant_transaction(alpha.route):
        event = AuditEvent.objects.get(type=AuditEventType.ROLE_ASSIGNED)
        assert (event.actor.email if event.actor else None, event.subject, event.details["role"]) == (
            "admin@example.test",
            "customer@example.test",
            "manager",
        )
        assert User.objects.filter(pk=customer, role__slug="manager").exists()


def test_members_are_invited_updated_and_deactivated_through_the_actions(
    tenants: list[ShardTenant], mail: MailSink
) -> None:
    alpha = tenants[0]
    admin = token(alpha, "admin")
    invite = (
        "mutation($email: String!, $role: String) { inviteUser(email: $email, role: $role) { id email role { slug } } }"
    )
    update = "mutation($id: ID!, $name: String) { updateUser(id: $id, fullName: $name) { fullName isActive } }"
    deactivate = "mutation($id: ID!) { deactivateUser(id: $id) { isActive } }"

    invited = graphql(alpha, invite, admin, email="Sam@example.test", role="staff").json()
    by_a_customer = graphql(alpha, invite, token(alpha, "customer"), email="eve@example.test").json()
    bad_address = graphql(alpha, invite, admin, email="not an address").json()

    assert invited["data"] is not None, invited
    assert invited["data"]["inviteUser"]["email"] == "sam@example.test"
    assert invited["data"]["inviteUser"]["role"] == {"slug": "staff"}
    assert mail.wait_for("sam@example.test")[0]["Subject"] == "You are invited"
    assert codes(by_a_customer) == ["FORBIDDEN"]
    assert codes(bad_address) == ["BAD_USER_INPUT"]
    sam = invited["data"]["inviteUser"]["id"]
    renamed = graphql(alpha, update, admin, id=sam, name="Sam Staff").json()
    assert renamed == {"data": {"updateUser": {"fullName": "Sam Staff", "isActive": True}}}
    assert graphql(alpha, deactivate, admin, id=sam).json() == {"data": {"deactivateUser": {"isActive": False}}}
    with tenant_transaction(alpha.route):
        types = list(AuditEvent.objects.filter(subject="sam@example.test").values_list("type", flat=True))
    assert sorted(types) == ["role_assigned", "user_deactivated", "user_invited", "user_updated"]
