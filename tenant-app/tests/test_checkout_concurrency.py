"""200 shoppers complete their checkouts at once for a variant with 10 in stock: exactly 10 orders, nothing
oversold, every other shopper a clear 409 out_of_stock, no deadlock — real requests on their own threads and
database connections against the real PostgreSQL."""

from __future__ import annotations

import secrets
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from django.db import connection
from django.test import Client

from tenant_app.checkout.models import Cart, CartLine, CartStatus, Reservation
from tenant_app.checkout.selectors import token_hash
from tenant_app.orders.models import OrderSummary
from tenant_app.tenancy.context import tenant_transaction
from tenantry_kernel.addresses import normalize_address

from .checkout_shop import ADDRESS, CheckoutStore
from .conftest import ShardTenant

SHOPPERS = 200
IN_STOCK = 10
# Connections at once: the shared PostgreSQL allows 100 in all and other suites run beside this one.
CONNECTIONS = 40


@pytest.fixture
def store(shard: tuple[str, list[ShardTenant]]) -> CheckoutStore:
    return CheckoutStore(shard[1][0], stock=IN_STOCK)


def carts_ready_to_complete(store: CheckoutStore, count: int) -> list[tuple[str, str]]:
    """`count` guest carts of one bag each, with every detail set, whose reservations have lapsed and been
    released (so all of them compete for the stock at completion); made in bulk. (cart id, token) each."""
    tokens = [secrets.token_urlsafe(16) for _ in range(count)]
    address = normalize_address(ADDRESS)
    with tenant_transaction(store.tenant.route):
        carts = Cart.objects.bulk_create(
            Cart(
                token_hash=token_hash(token),
                currency="EUR",
                language="en",
                email=f"shopper{index}@example.com",
                shipping_address=address,
                billing_address=address,
                shipping_method=store.parcel,
            )
            for index, token in enumerate(tokens)
        )
        CartLine.objects.bulk_create(
            CartLine(cart=cart, variant=store.variant, quantity=1, unit_price=store.variant.prices.get().amount)
            for cart in carts
        )
    return [(str(cart.pk), token) for cart, token in zip(carts, tokens, strict=True)]


def test_200_concurrent_checkouts_for_10_in_stock_make_exactly_10_orders(store: CheckoutStore) -> None:
    carts = carts_ready_to_complete(store, SHOPPERS)
    start = threading.Barrier(CONNECTIONS)
    local = threading.local()

    def complete(cart: tuple[str, str]) -> tuple[int, dict[str, Any]]:
        if not getattr(local, "started", False):
            local.started = True
            start.wait(timeout=60)  # every connection is open before anyone completes
        cart_id, token = cart
        client = Client(HTTP_HOST=store.tenant.host, REMOTE_ADDR="10.9.8.7")
        try:
            response = client.post(
                f"/api/v1/checkout/carts/{cart_id}/complete/",
                {},
                content_type="application/json",
                headers={"Cart-Token": token, "Idempotency-Key": f"race-{cart_id}"},
            )
        finally:
            connection.close()  # this thread's own connection: none is left open behind the test
        return response.status_code, response.json()

    with ThreadPoolExecutor(max_workers=CONNECTIONS) as pool:
        outcomes = list(pool.map(complete, carts, timeout=300))

    placed = [body for status, body in outcomes if status == 201]
    refused = [body for status, body in outcomes if status == 409]
    assert len(placed) == IN_STOCK, [status for status, _ in outcomes if status not in (201, 409)]
    assert len(refused) == SHOPPERS - IN_STOCK
    assert {body["code"] for body in refused} == {"out_of_stock"}
    assert all(body["errors"] == [out_of_stock(store)] for body in refused)
    assert store.stock_row() == (0, 0)  # nothing oversold: the DB check keeps 0 <= reserved <= quantity too
    with tenant_transaction(store.tenant.route):
        assert OrderSummary.objects.count() == IN_STOCK
        assert Cart.objects.filter(status=CartStatus.COMPLETED).count() == IN_STOCK
        assert Cart.objects.filter(status=CartStatus.OPEN).count() == SHOPPERS - IN_STOCK
        assert not Reservation.objects.exists()
    assert {body["id"] for body in placed} == {str(o) for o in _order_ids(store)}
    # A refused shopper's answer is a problem document like any other
    assert problem_fields(refused[0]) == {"type", "title", "status", "detail", "instance", "code", "errors"}


def out_of_stock(store: CheckoutStore) -> dict[str, str]:
    detail = f"{store.variant.sku}: 1 wanted, 0 left."
    return {"pointer": "/lines/0/quantity", "detail": detail, "code": "out_of_stock"}


def _order_ids(store: CheckoutStore) -> list[Any]:
    with tenant_transaction(store.tenant.route):
        return list(OrderSummary.objects.values_list("id", flat=True))


def problem_fields(body: dict[str, Any]) -> set[str]:
    assert body["type"] == "/api/problems/out_of_stock"
    assert body["status"] == 409
    return set(body)
