"""A store to shop in, for the catalog and order tests: one member per built-in role with a real access token."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.test import Client

from tenant_app.access.models import Role
from tenant_app.accounts.models import RefreshFamily, User
from tenant_app.accounts.tokens import refresh_token_for
from tenant_app.catalog.models import Product
from tenant_app.tenancy.context import tenant_transaction
from tenantry_kernel.events.models import OutboxEvent
from tenantry_kernel.testing.problems import problem

from .conftest import ShardTenant

# name → built-in role; staff work at the north location (policies may test `subject.location`).
MEMBERS = {
    "owner": "owner",
    "manager": "manager",
    "staff": "staff",
    "customer": "customer",
    "other-customer": "customer",
}
ATTRIBUTES = {"staff": {"location": "north"}}
STAFF_LOCATION = {
    "name": "staff-own-location",
    "effect": "allow",
    "actions": ["products.update"],
    "roles": ["staff"],
    "condition": "resource.location == subject.location",
}


class Store:
    def __init__(self, tenant: ShardTenant) -> None:
        self.tenant = tenant
        self.ids: dict[str, int] = {}
        self.tokens: dict[str, str] = {}
        for name, role in MEMBERS.items():
            self.add(name, role)

    def add(self, name: str, role: str) -> int:
        # Tokens are minted as sign-in would (a session, tenant-bound claims); second factors are another suite's.
        with tenant_transaction(self.tenant.route):
            user = User.objects.create_user(
                f"{name}@example.test", None, role=Role.objects.get(slug=role), attributes=ATTRIBUTES.get(name, {})
            )
            family = RefreshFamily.objects.create(user=user)
            self.tokens[name] = str(refresh_token_for(user, self.tenant.slug, str(family.id)).access_token)
        self.ids[name] = user.pk
        return user.pk

    def user(self, name: str) -> User:
        return User.objects.get(pk=self.ids[name])

    def call(self, who: str | None, method: str, path: str, body: Any = None, **client_options: Any) -> Any:
        headers = {"Authorization": f"Bearer {self.tokens[who]}"} if who else {}
        client = Client(HTTP_HOST=self.tenant.host, REMOTE_ADDR="10.1.2.3", **client_options)
        return getattr(client, method)(path, body, content_type="application/json", headers=headers)

    def graphql(self, who: str, query: str, **variables: Any) -> Any:
        response = self.call(who, "post", "/graphql/", {"query": query, "variables": variables})
        assert response.status_code == 200, response.content
        return response.json()

    def product(
        self, name: str, amount: str, currency: str = "EUR", *, location: str = "", published: bool = True
    ) -> int:
        """A product made through the API by the manager (and published, unless told otherwise)."""
        body = {"name": name, "price": {"amount": amount, "currency": currency}, "location": location}
        created = self.call("manager", "post", "/api/v1/products/", body)
        assert created.status_code == 201, created.content
        product_id: int = created.json()["id"]
        if published:
            assert self.call("manager", "post", f"/api/v1/products/{product_id}/publish/").status_code == 200
        return product_id

    def outbox(self) -> list[dict[str, Any]]:
        """The envelopes in this store's outbox, oldest first."""
        with tenant_transaction(self.tenant.route):
            return list(OutboxEvent.objects.order_by("id").values_list("envelope", flat=True))

    def products(self) -> list[Product]:
        with tenant_transaction(self.tenant.route):
            return list(Product.objects.order_by("id"))


def error(response: Any) -> tuple[int, str, dict[str, Any] | None]:
    body = problem(response)
    return response.status_code, body["code"], body.get("errors")


def money(amount: str, currency: str = "EUR") -> dict[str, str]:
    return {"amount": str(Decimal(amount)), "currency": currency}
