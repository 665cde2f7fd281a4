"""A shopper's own orders on a real tenant: they list and read only theirs, and cancel their own while unpaid (the
policy `customers-cancel-own-unpaid-orders` and the ledger's cancel), never another's or a paid one."""

from __future__ import annotations

from typing import Any

import pytest

from tenant_app.orders.models import OrderSummary
from tenant_app.tenancy.context import tenant_transaction

from .conftest import ShardTenant
from .shop import Store, error, money

ORDERS = "/api/v1/orders/"


@pytest.fixture
def store(shard: tuple[str, list[ShardTenant]]) -> Store:
    return Store(shard[1][0])


def place(store: Store, who: str, product: int, quantity: int = 1) -> dict[str, Any]:
    response = store.call(who, "post", ORDERS, {"lines": [{"product": product, "quantity": quantity}]})
    assert response.status_code == 201, response.content
    order: dict[str, Any] = response.json()
    return order


def status_of(store: Store, order_id: str) -> tuple[str, int]:
    with tenant_transaction(store.tenant.route):
        summary = OrderSummary.objects.get(pk=order_id)
        return summary.status, summary.version


def test_a_shopper_lists_and_reads_only_their_own_orders(store: Store) -> None:
    bell = store.product("Bell", "5.25")
    mine = [place(store, "customer", bell, n + 1)["id"] for n in range(2)]
    theirs = place(store, "other-customer", bell)["id"]

    listed = store.call("customer", "get", ORDERS).json()["results"]
    # asking for another customer's orders by filter still shows only one's own (none of theirs)
    filtered = store.call("customer", "get", f"{ORDERS}?customer={store.ids['other-customer']}").json()["results"]
    read_theirs = store.call("customer", "get", f"{ORDERS}{theirs}/")

    assert [order["id"] for order in listed] == list(reversed(mine))
    assert {order["customer"] for order in listed} == {store.ids["customer"]}
    assert filtered == []
    assert error(read_theirs)[:2] == (404, "not_found")
    assert store.call("customer", "get", f"{ORDERS}{mine[0]}/").json()["history"][0]["type"] == "order.placed"
    # staff see everyone's
    assert len(store.call("manager", "get", ORDERS).json()["results"]) == 3


def test_a_shopper_cancels_their_own_unpaid_order_through_the_ledger(store: Store) -> None:
    bell = store.product("Bell", "5.25")
    order_id = place(store, "customer", bell)["id"]

    cancelled = store.call("customer", "post", f"{ORDERS}{order_id}/cancel/", {"reason": "ordered twice"})

    assert cancelled.status_code == 200, cancelled.content
    body = cancelled.json()
    assert (body["status"], body["version"]) == ("cancelled", 2)
    assert body["history"][1]["type"] == "order.cancelled"
    assert body["history"][1]["actor"] == store.ids["customer"]
    assert status_of(store, order_id) == ("cancelled", 2)
    # once cancelled, not again
    again = store.call("customer", "post", f"{ORDERS}{order_id}/cancel/", {})
    assert error(again)[:2] == (403, "forbidden")


def test_a_shopper_cannot_cancel_a_paid_order_or_anothers(store: Store) -> None:
    bell = store.product("Bell", "5.25")
    paid = place(store, "customer", bell)["id"]
    pay = store.call("manager", "post", f"{ORDERS}{paid}/pay/", {"amount": money("5.25"), "payment_reference": "p"})
    assert pay.status_code == 200, pay.content
    theirs = place(store, "other-customer", bell)["id"]

    cancel_paid = store.call("customer", "post", f"{ORDERS}{paid}/cancel/", {})
    cancel_theirs = store.call("customer", "post", f"{ORDERS}{theirs}/cancel/", {})

    assert error(cancel_paid)[:2] == (403, "forbidden")
    assert "customers-cancel-own-unpaid-orders" in cancel_paid.json()["detail"]
    assert error(cancel_theirs)[:2] == (404, "not_found")  # not theirs to see, so not found
    assert status_of(store, paid) == ("paid", 2)
    assert status_of(store, theirs) == ("placed", 1)
