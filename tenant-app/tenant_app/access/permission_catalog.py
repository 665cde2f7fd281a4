"""Every permission the app knows ("<resource>.<verb>"), and what each built-in role holds.

Changing a built-in role's set needs a data migration that calls `seed_builtin_roles` again.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

PERMISSIONS: dict[str, str] = {
    "users.view": "See the people of the workspace.",
    "users.create": "Invite or add people.",
    "users.update": "Change people's details, or deactivate them.",
    "users.delete": "Remove people.",
    "roles.view": "See roles and the permission catalog.",
    "roles.create": "Create custom roles.",
    "roles.update": "Change roles.",
    "roles.delete": "Delete custom roles.",
    "roles.assign": "Give people a role.",
    "owners.manage": "Grant or take away the owner role, and remove owners (ownership transfer).",
    "policies.view": "See attribute policies.",
    "policies.create": "Create attribute policies.",
    "policies.update": "Change attribute policies.",
    "policies.delete": "Delete attribute policies.",
    "audit.view": "Read the audit log.",
    "sessions.view": "See other people's sessions (one's own are always visible).",
    "sessions.delete": "Sign other people out (one's own sessions can always be ended).",
    "products.view": "See products.",
    "products.create": "Create products.",
    "products.update": "Change products.",
    "products.delete": "Delete products.",
    "products.publish": "Publish products to shoppers and the marketplace, or withdraw them.",
    "orders.view": "See orders.",
    "orders.create": "Place orders.",
    "orders.update": "Change orders.",
    "orders.delete": "Delete orders.",
    "orders.pay": "Record the payment of orders.",
    "orders.refund": "Refund orders.",
    "orders.cancel": "Cancel orders.",
    "payments.create": "Pay for orders through the store's gateways.",
    "payments.connect": "Connect the store's payment gateways (their credentials).",
}

# Only the built-in owner role holds these: a custom role with them would be an owner in disguise.
OWNER_ONLY = frozenset({"owners.manage"})

RESOURCES = frozenset(action.split(".", 1)[0] for action in PERMISSIONS)

# Resources whose rows belong to one user, named by this attribute: a user may always act on their own.
# Notifications ("notifications.view", "notifications.update") are only ever one's own: no role grants them,
# so they are not in PERMISSIONS and a scoped query keeps the user's rows alone.
# A shopper's address book ("addresses.*") is theirs alone in the same way.
SELF_SERVICE = {"sessions": "user_id", "notifications": "recipient_id", "addresses": "owner_id"}


@dataclass(frozen=True)
class BuiltinRole:
    slug: str
    name: str
    description: str
    permissions: tuple[str, ...]
    requires_two_factor: bool = False


def _all_but(excluded: Iterable[str]) -> tuple[str, ...]:
    return tuple(action for action in PERMISSIONS if action not in set(excluded))


BUILTIN_ROLES: dict[str, BuiltinRole] = {
    role.slug: role
    for role in (
        BuiltinRole("owner", "Owner", "Everything, including ownership.", tuple(PERMISSIONS), True),
        BuiltinRole("admin", "Administrator", "Everything except ownership.", _all_but(OWNER_ONLY), True),
        BuiltinRole(
            "manager",
            "Manager",
            "Runs the catalog and the orders; sees the team.",
            (
                "users.view",
                "roles.view",
                "products.view",
                "products.create",
                "products.update",
                "products.delete",
                "products.publish",
                "orders.view",
                "orders.create",
                "orders.update",
                "orders.pay",
                "orders.refund",
                "orders.cancel",
                "payments.create",
            ),
        ),
        BuiltinRole(
            "staff",
            "Staff",
            "Keeps products up to date and looks up orders.",
            ("products.view", "products.update", "orders.view"),
        ),
        BuiltinRole(
            "customer",
            "Customer",
            "Shops: sees products, places orders, sees their own and cancels their own unpaid ones.",
            ("products.view", "orders.view", "orders.create", "orders.cancel", "payments.create"),
        ),
    )
}


def is_action_pattern(pattern: str) -> bool:
    """A policy's action: a catalog action, "<resource>.*" or "*" (everything)."""
    if pattern == "*":
        return True
    resource, _, verb = pattern.partition(".")
    return pattern in PERMISSIONS or (verb == "*" and resource in RESOURCES)


def matches(pattern: str, action: str) -> bool:
    return pattern in ("*", action) or (pattern.endswith(".*") and action.startswith(pattern[:-1]))


def seed_builtin_roles(role_model: Any) -> None:
    """Create or bring up to date the built-in roles; `requires_two_factor` stays the tenant's choice."""
    for role in BUILTIN_ROLES.values():
        role_model.objects.update_or_create(
            slug=role.slug,
            defaults={"name": role.name, "builtin": True, "permissions": list(role.permissions)},
            create_defaults={
                "name": role.name,
                "description": role.description,
                "builtin": True,
                "permissions": list(role.permissions),
                "requires_two_factor": role.requires_two_factor,
            },
        )
