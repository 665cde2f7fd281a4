"""The roles, policies, permissions and role-assignment endpoints: guarded by the engine, audited, exact errors."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tenant_app.access import permission_catalog
from tenant_app.access.models import Role
from tenant_app.accounts.models import RefreshFamily, User
from tenant_app.accounts.tokens import refresh_token_for
from tenant_app.audit.models import AuditEvent
from tenant_app.tenancy.context import tenant_transaction
from tenantry_kernel.testing.problems import field_errors, problem

from .conftest import ShardTenant

MEMBERS = {"owner": "owner", "admin": "admin", "manager": "manager", "staff": "staff", "customer": "customer"}


class Store:
    """A tenant with one member per built-in role, each holding a real access token."""

    def __init__(self, tenant: ShardTenant) -> None:
        self.tenant = tenant
        self.ids: dict[str, int] = {}
        self.tokens: dict[str, str] = {}
        for name, role in MEMBERS.items():
            self.add(name, role)

    def add(self, name: str, role: str | None) -> int:
        # Tokens are minted as sign-in would (a session and tenant-bound claims); owners' and admins'
        # second factor is another suite's subject.
        with tenant_transaction(self.tenant.route):
            found = Role.objects.get(slug=role) if role else None
            user = User.objects.create_user(f"{name}@example.test", None, role=found)
            family = RefreshFamily.objects.create(user=user)
            self.tokens[name] = str(refresh_token_for(user, self.tenant.slug, str(family.id)).access_token)
        self.ids[name] = user.pk
        return user.pk

    def call(self, who: str | None, method: str, path: str, body: Any = None) -> Any:
        headers = {"Authorization": f"Bearer {self.tokens[who]}"} if who else {}
        client = Client(HTTP_HOST=self.tenant.host, REMOTE_ADDR="10.1.2.3")
        return getattr(client, method)(path, body, content_type="application/json", headers=headers)

    def events(self, type_: str) -> list[AuditEvent]:
        with tenant_transaction(self.tenant.route):
            return list(AuditEvent.objects.filter(type=type_).select_related("actor").order_by("id"))

    def role_of(self, name: str) -> str | None:
        with tenant_transaction(self.tenant.route):
            role = User.objects.select_related("role").get(pk=self.ids[name]).role
        return role.slug if role else None


@pytest.fixture
def store(shard: tuple[str, list[ShardTenant]]) -> Store:
    return Store(shard[1][0])


def error(response: Any) -> tuple[int, str, dict[str, Any] | None]:
    body = problem(response)
    return response.status_code, body["code"], body.get("errors")


CLERK = {"slug": "clerk", "name": "Clerk", "permissions": ["products.view", "orders.view"]}

# ---- Roles -------------------------------------------------------------------------------


def test_roles_are_listed_by_cursor_and_filtered(store: Store) -> None:
    store.call("admin", "post", "/api/v1/roles/", CLERK)

    listed = store.call("admin", "get", "/api/v1/roles/")
    builtin = store.call("admin", "get", "/api/v1/roles/?builtin=true")
    custom = store.call("admin", "get", "/api/v1/roles/?builtin=false")
    holding = store.call("admin", "get", "/api/v1/roles/?permission=orders.view")
    first_page = store.call("admin", "get", "/api/v1/roles/?page_size=4")
    next_page = urlsplit(first_page.json()["next"])
    second_page = store.call("admin", "get", f"{next_page.path}?{next_page.query}")

    assert listed.status_code == 200
    assert [role["slug"] for role in listed.json()["results"]] == [
        "owner", "admin", "manager", "staff", "customer", "clerk",
    ]  # fmt: skip
    assert {role["slug"] for role in builtin.json()["results"]} == set(permission_catalog.BUILTIN_ROLES)
    assert [role["slug"] for role in custom.json()["results"]] == ["clerk"]
    assert {r["slug"] for r in holding.json()["results"]} == {"owner", "admin", "manager", "staff", "customer", "clerk"}
    assert [r["slug"] for r in second_page.json()["results"]] == ["customer", "clerk"]
    assert store.call("admin", "get", "/api/v1/roles/owner/").json()["requires_two_factor"] is True


def test_a_custom_role_is_created_changed_and_deleted_with_audit(store: Store) -> None:
    created = store.call("admin", "post", "/api/v1/roles/", CLERK)
    changed = store.call("admin", "patch", "/api/v1/roles/clerk/", {"permissions": ["orders.view"], "name": "Clerks"})
    deleted = store.call("admin", "delete", "/api/v1/roles/clerk/")

    assert created.status_code == 201
    assert created["Location"] == "/api/v1/roles/clerk/"
    assert created.json()["permissions"] == ["products.view", "orders.view"]
    assert changed.status_code == 200
    assert (changed.json()["name"], changed.json()["permissions"]) == ("Clerks", ["orders.view"])
    assert deleted.status_code == 204
    assert store.call("admin", "get", "/api/v1/roles/clerk/").status_code == 404
    [made] = store.events("role_created")
    [updated] = store.events("role_updated")
    [gone] = store.events("role_deleted")
    assert (made.actor_id, made.subject, made.details["permissions"]) == (
        store.ids["admin"],
        "clerk",
        CLERK["permissions"],
    )
    assert updated.details["changes"] == {
        "name": {"from": "Clerk", "to": "Clerks"},
        "permissions": {"from": ["products.view", "orders.view"], "to": ["orders.view"]},
    }
    assert (gone.actor_id, gone.subject) == (store.ids["admin"], "clerk")


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        (
            {**CLERK, "permissions": ["products.view", "products.fly"]},
            "/permissions",
            "Unknown permissions: products.fly",
        ),
        ({**CLERK, "permissions": ["owners.manage"]}, "/permissions", "Only the owner role holds owners.manage"),
        ({**CLERK, "slug": "not a slug"}, "/slug", "letters, numbers, underscores or hyphens"),
        ({**CLERK, "slug": "staff"}, "/slug", "A role with the slug 'staff' exists"),
        ({**CLERK, "permissions": "products.view"}, "/permissions", 'Expected a list of items but got type "str"'),
        ({"slug": "clerk"}, "/name", "This field is required."),
    ],
)
def test_a_bad_role_is_refused_with_a_field_error(store: Store, body: dict[str, Any], field: str, message: str) -> None:
    refused = store.call("owner", "post", "/api/v1/roles/", body)

    assert error(refused)[:2] == (400, "invalid")
    assert message in " ".join(field_errors(refused)[field])
    assert store.events("role_created") == []


def test_nobody_hands_on_permissions_they_do_not_hold(store: Store) -> None:
    # A role manager who may create roles and assign them, and sell: nothing more.
    store.call("owner", "post", "/api/v1/roles/", {
        "slug": "role-manager", "name": "Role manager",
        "permissions": ["roles.view", "roles.create", "roles.update", "roles.assign", "users.view", "products.view"],
    })  # fmt: skip
    store.add("delegate", "role-manager")
    store.add("newcomer", None)

    escalating = store.call("delegate", "post", "/api/v1/roles/", {**CLERK, "permissions": ["products.delete"]})
    fine = store.call("delegate", "post", "/api/v1/roles/", {**CLERK, "permissions": ["products.view"]})
    widened = store.call("delegate", "patch", "/api/v1/roles/role-manager/", {"permissions": ["audit.view"]})
    to_admin = store.call("delegate", "put", f"/api/v1/users/{store.ids['staff']}/role/", {"role": "admin"})
    demoting_admin = store.call("delegate", "put", f"/api/v1/users/{store.ids['admin']}/role/", {"role": "clerk"})
    to_clerk = store.call("delegate", "put", f"/api/v1/users/{store.ids['newcomer']}/role/", {"role": "clerk"})
    from_customer = store.call("delegate", "put", f"/api/v1/users/{store.ids['customer']}/role/", {"role": "clerk"})

    assert error(escalating) == (403, "forbidden", None)
    assert "products.delete" in problem(escalating)["detail"]
    assert fine.status_code == 201
    assert error(widened) == (403, "forbidden", None)
    assert error(to_admin) == (403, "forbidden", None)
    assert error(demoting_admin) == (403, "forbidden", None)
    assert to_clerk.status_code == 200
    assert error(from_customer) == (403, "forbidden", None)  # customers hold orders.* the delegate does not
    roles = [store.role_of(name) for name in ("staff", "admin", "customer", "newcomer")]
    assert roles == ["staff", "admin", "customer", "clerk"]


def test_built_in_roles_keep_their_name_and_permissions(store: Store) -> None:
    renamed = store.call("owner", "patch", "/api/v1/roles/staff/", {"name": "Crew", "permissions": []})
    relaxed = store.call("owner", "patch", "/api/v1/roles/admin/", {"requires_two_factor": False, "description": "IT"})
    deleted = store.call("owner", "delete", "/api/v1/roles/manager/")
    unchanged = store.call(
        "owner", "patch", "/api/v1/roles/owner/", {"permissions": list(reversed(permission_catalog.PERMISSIONS))}
    )

    assert error(renamed)[:2] == (400, "invalid")
    assert set(field_errors(renamed)) == {"/name", "/permissions"}
    assert relaxed.status_code == 200
    assert (relaxed.json()["requires_two_factor"], relaxed.json()["description"]) == (False, "IT")
    assert error(deleted) == (409, "builtin_role", None)
    assert unchanged.status_code == 200  # the same set, in another order: no change, so no refusal
    [event] = store.events("role_updated")
    assert event.details["changes"]["requires_two_factor"] == {"from": True, "to": False}


def test_a_role_in_use_cannot_be_deleted(store: Store) -> None:
    store.call("owner", "post", "/api/v1/roles/", CLERK)
    store.call("owner", "post", "/api/v1/roles/", {**CLERK, "slug": "temp"})
    store.add("clara", "clerk")
    store.call("owner", "post", "/api/v1/policies/", {
        "name": "temps-by-day", "effect": "deny", "actions": ["*"], "roles": ["temp"],
        "condition": "context.now.getHours() < 8",
    })  # fmt: skip

    by_member = store.call("owner", "delete", "/api/v1/roles/clerk/")
    by_policy = store.call("owner", "delete", "/api/v1/roles/temp/")

    assert error(by_member) == (409, "role_in_use", None)
    assert "1 member(s)" in problem(by_member)["detail"]
    assert error(by_policy) == (409, "role_in_use", None)
    assert "temps-by-day" in problem(by_policy)["detail"]
    assert store.events("role_deleted") == []


def test_roles_need_the_right_permission_and_a_token(store: Store) -> None:
    assert error(store.call(None, "get", "/api/v1/roles/")) == (401, "not_authenticated", None)
    assert error(store.call("customer", "get", "/api/v1/roles/")) == (403, "forbidden", None)
    assert store.call("manager", "get", "/api/v1/roles/").status_code == 200
    assert error(store.call("manager", "post", "/api/v1/roles/", CLERK)) == (403, "forbidden", None)
    assert error(store.call("manager", "delete", "/api/v1/roles/staff/")) == (403, "forbidden", None)
    assert error(store.call("owner", "put", "/api/v1/roles/staff/", {})) == (405, "method_not_allowed", None)


def test_a_policy_on_roles_is_checked_per_object(store: Store) -> None:
    store.call("owner", "post", "/api/v1/roles/", CLERK)
    store.call("owner", "post", "/api/v1/policies/", {
        "name": "built-ins-are-fixed", "effect": "deny", "actions": ["roles.update"], "condition": "resource.builtin",
    })  # fmt: skip

    builtin = store.call("admin", "patch", "/api/v1/roles/staff/", {"description": "Crew"})
    custom = store.call("admin", "patch", "/api/v1/roles/clerk/", {"description": "Counter"})

    assert error(builtin) == (403, "forbidden", None)
    assert "denied_by_policy:built-ins-are-fixed" in problem(builtin)["detail"]
    assert custom.status_code == 200


# ---- Policies ----------------------------------------------------------------------------

STAFF_LOCATION = {
    "name": "staff-own-location",
    "description": "Staff edit the products of their own location.",
    "effect": "allow",
    "actions": ["products.update"],
    "roles": ["staff"],
    "condition": "resource.location == subject.location",
}


def test_a_policy_is_created_changed_and_deleted_with_audit(store: Store) -> None:
    created = store.call("admin", "post", "/api/v1/policies/", STAFF_LOCATION)
    changed = store.call("admin", "patch", "/api/v1/policies/staff-own-location/", {"roles": ["staff", "manager"]})
    disabled = store.call("admin", "patch", "/api/v1/policies/staff-own-location/", {"enabled": False})
    deleted = store.call("admin", "delete", "/api/v1/policies/staff-own-location/")

    assert created.status_code == 201
    assert created["Location"] == "/api/v1/policies/staff-own-location/"
    body = created.json()
    assert {key: body[key] for key in STAFF_LOCATION} == STAFF_LOCATION
    assert body["enabled"] is True
    assert changed.json()["roles"] == ["manager", "staff"]
    assert disabled.json()["enabled"] is False
    assert deleted.status_code == 204
    assert store.call("admin", "get", "/api/v1/policies/staff-own-location/").status_code == 404
    [made] = store.events("policy_created")
    updates = store.events("policy_updated")
    [gone] = store.events("policy_deleted")
    assert (made.subject, made.details["condition"], made.details["roles"]) == (
        "staff-own-location", STAFF_LOCATION["condition"], ["staff"],
    )  # fmt: skip
    assert [event.details["changes"] for event in updates] == [
        {"roles": {"from": ["staff"], "to": ["manager", "staff"]}},
        {"enabled": {"from": True, "to": False}},
    ]
    assert (gone.actor_id, gone.details["enabled"]) == (store.ids["admin"], False)


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"condition": "resource.location == "}, "/condition", "not a valid CEL expression"),
        ({"condition": "open(subject)"}, "/condition", "`open()` is not available"),
        ({"condition": "resource.price * 2 > 10"}, "/condition", "compare its fields"),
        ({"actions": ["products.fly"]}, "/actions", "Unknown actions: products.fly"),
        ({"actions": []}, "/actions", "This list may not be empty."),
        ({"roles": ["ghost"]}, "/roles", "Object with slug=ghost does not exist."),
        ({"effect": "maybe"}, "/effect", '"maybe" is not a valid choice.'),
        ({"name": "customers-own-orders"}, "/name", "A policy named 'customers-own-orders' exists"),
    ],
)
def test_a_bad_policy_is_refused_with_a_field_error(
    store: Store, change: dict[str, Any], field: str, message: str
) -> None:
    refused = store.call("admin", "post", "/api/v1/policies/", {**STAFF_LOCATION, **change})

    assert error(refused)[:2] == (400, "invalid")
    assert message in " ".join(field_errors(refused)[field])
    assert store.events("policy_created") == []


def test_a_bad_condition_is_refused_on_change_too(store: Store) -> None:
    store.call("admin", "post", "/api/v1/policies/", STAFF_LOCATION)

    refused = store.call("admin", "patch", "/api/v1/policies/staff-own-location/", {"condition": "user.id == 1"})

    assert error(refused)[:2] == (400, "invalid")
    assert field_errors(refused)["/condition"] == [
        "Unknown name `user`: conditions can use subject, resource and context."
    ]


def test_policies_are_filtered_by_action_wildcards_included(store: Store) -> None:
    store.call("admin", "post", "/api/v1/policies/", STAFF_LOCATION)
    store.call(
        "admin", "post", "/api/v1/policies/", {**STAFF_LOCATION, "name": "orders-frozen", "actions": ["orders.*"]}
    )
    store.call("admin", "post", "/api/v1/policies/", {
        "name": "office-network", "effect": "allow", "actions": ["*"],
        "condition": 'inNetwork(context.ip, "10.0.0.0/8")',
    })  # fmt: skip

    def names(query: str) -> list[str]:
        response = store.call("admin", "get", f"/api/v1/policies/{query}")
        assert response.status_code == 200, response.content
        return [policy["name"] for policy in response.json()["results"]]

    assert names("?action=orders.view") == ["customers-own-orders", "orders-frozen", "office-network"]
    assert names("?action=products.update") == ["staff-own-location", "office-network"]
    assert names("?action=products.update&role=staff") == ["staff-own-location"]
    # Seeded with every workspace (access migrations 0003, 0004 and 0006).
    assert names("?effect=allow&role=customer") == [
        "customers-own-orders",
        "customers-published-products",
        "customers-cancel-own-unpaid-orders",
    ]


def test_policies_need_their_permissions(store: Store) -> None:
    assert error(store.call("manager", "get", "/api/v1/policies/")) == (403, "forbidden", None)
    assert error(store.call("manager", "post", "/api/v1/policies/", STAFF_LOCATION)) == (403, "forbidden", None)
    assert store.events("policy_created") == []


def test_a_saved_policy_changes_the_next_decision(store: Store) -> None:
    assert store.call("manager", "get", "/api/v1/roles/").status_code == 200

    store.call("admin", "post", "/api/v1/policies/", {
        "name": "managers-at-the-office", "effect": "allow", "actions": ["*"], "roles": ["manager"],
        "condition": 'inNetwork(context.ip, "192.168.0.0/16")',
    })  # fmt: skip
    refused = store.call("manager", "get", "/api/v1/roles/")
    store.call("admin", "delete", "/api/v1/policies/managers-at-the-office/")

    assert error(refused) == (403, "forbidden", None)
    assert "not_allowed_by_policy:managers-at-the-office" in problem(refused)["detail"]
    assert store.call("manager", "get", "/api/v1/roles/").status_code == 200


# ---- The catalog and role assignment -----------------------------------------------------


def test_the_permission_catalog_is_listed_for_those_who_see_roles(store: Store) -> None:
    listed = store.call("manager", "get", "/api/v1/permissions/")

    assert listed.status_code == 200
    assert (listed.json()["next"], listed.json()["previous"]) == (None, None)  # one page, the shape of every list
    results = listed.json()["results"]
    assert [entry["action"] for entry in results] == list(permission_catalog.PERMISSIONS)
    assert {entry["action"] for entry in results if entry["owner_only"]} == {"owners.manage"}
    assert all(entry["description"] for entry in results)
    assert error(store.call("customer", "get", "/api/v1/permissions/")) == (403, "forbidden", None)


def test_a_role_is_assigned_and_audited(store: Store) -> None:
    assigned = store.call("admin", "put", f"/api/v1/users/{store.ids['customer']}/role/", {"role": "staff"})

    assert (assigned.status_code, assigned.json()) == (200, {"user": store.ids["customer"], "role": "staff"})
    assert store.role_of("customer") == "staff"
    [event] = store.events("role_assigned")
    assert (event.actor_id, event.subject) == (store.ids["admin"], "customer@example.test")
    assert (event.details["previous"], event.details["role"]) == ("customer", "staff")


def test_only_owners_make_or_unmake_owners_and_the_last_one_stays(store: Store) -> None:
    by_admin = store.call("admin", "put", f"/api/v1/users/{store.ids['staff']}/role/", {"role": "owner"})
    last_owner = store.call("owner", "put", f"/api/v1/users/{store.ids['owner']}/role/", {"role": "admin"})
    second_owner = store.call("owner", "put", f"/api/v1/users/{store.ids['admin']}/role/", {"role": "owner"})
    stepping_down = store.call("owner", "put", f"/api/v1/users/{store.ids['owner']}/role/", {"role": "admin"})
    now_last = store.call("admin", "put", f"/api/v1/users/{store.ids['admin']}/role/", {"role": "manager"})

    assert error(by_admin) == (403, "forbidden", None)
    assert error(last_owner) == (409, "last_owner", None)
    assert second_owner.status_code == 200
    assert stepping_down.status_code == 200
    assert error(now_last) == (409, "last_owner", None)  # the former admin is the only owner now
    assert (store.role_of("owner"), store.role_of("admin"), store.role_of("staff")) == ("admin", "owner", "staff")
    assert [(e.details["previous"], e.details["role"]) for e in store.events("role_assigned")] == [
        ("admin", "owner"), ("owner", "admin"),
    ]  # fmt: skip


def test_role_assignment_errors(store: Store) -> None:
    unknown_role = store.call("admin", "put", f"/api/v1/users/{store.ids['staff']}/role/", {"role": "ghost"})
    unknown_user = store.call("admin", "put", "/api/v1/users/999999/role/", {"role": "staff"})
    no_permission = store.call("manager", "put", f"/api/v1/users/{store.ids['staff']}/role/", {"role": "customer"})
    no_body = store.call("admin", "put", f"/api/v1/users/{store.ids['staff']}/role/", {})

    assert error(unknown_role) == (400, "invalid", {"/role": ["Object with slug=ghost does not exist."]})
    assert error(unknown_user)[:2] == (404, "not_found")
    assert error(no_permission) == (403, "forbidden", None)
    assert error(no_body) == (400, "invalid", {"/role": ["This field is required."]})
    assert store.role_of("staff") == "staff"


def test_another_stores_member_is_not_found(shard: tuple[str, list[ShardTenant]]) -> None:
    alpha, bravo = Store(shard[1][0]), Store(shard[1][1])
    bravo.add("bravo-only", "customer")

    response = alpha.call("admin", "put", f"/api/v1/users/{bravo.ids['bravo-only']}/role/", {"role": "staff"})

    assert error(response)[:2] == (404, "not_found")


# ---- Query counts ------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/api/v1/roles/", "/api/v1/policies/"])
def test_lists_take_the_same_queries_for_few_and_many_rows(store: Store, path: str, settings: Any) -> None:
    settings.ACCESS_POLICY_TTL = 3600  # no revalidation between the two counts

    def queries_for_listing() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert store.call("owner", "get", path).status_code == 200
        return len(captured)

    store.call("owner", "get", path)  # warm the policy cache
    few = queries_for_listing()
    for n in range(6):
        store.call("owner", "post", "/api/v1/roles/", {**CLERK, "slug": f"clerk-{n}"})
        store.call(
            "owner", "post", "/api/v1/policies/", {**STAFF_LOCATION, "name": f"p-{n}", "roles": ["staff", f"clerk-{n}"]}
        )
    store.call("owner", "get", path)  # the changes reloaded the cache once

    assert queries_for_listing() == few
