"""Carts and checkout on real tenants: a guest's cart from first line to order (stock reserved, then taken, the
order ledger's order.placed with variants and rates), idempotent completion, expiry and release, merge at
sign-in, cancellation giving stock back, vouchers counted once, another store's cart useless (REST and GraphQL),
bad input refused with nothing half-made."""

from __future__ import annotations

import secrets
import time
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from tenant_app import celery_app
from tenant_app.checkout.actions import release_expired_reservations
from tenant_app.checkout.models import Cart, CartLine, Reservation, Voucher, VoucherRedemption
from tenant_app.checkout.tasks import release_expired_reservations as release_task
from tenant_app.orders.models import OrderSummary
from tenant_app.tenancy.context import as_tenant, tenant_transaction
from tenantry_kernel.celery import TENANT_HEADER
from tenantry_kernel.events.envelope import Event
from tenantry_kernel.testing import delete_queue
from tenantry_kernel.testing.problems import problem
from tenantry_kernel.testing.workers import worker_on_queue

from .checkout_shop import ADDRESS, CheckoutStore
from .conftest import ShardTenant


@pytest.fixture
def stores(shard: tuple[str, list[ShardTenant]]) -> tuple[CheckoutStore, CheckoutStore]:
    return CheckoutStore(shard[1][0]), CheckoutStore(shard[1][1])


@pytest.fixture
def store(stores: tuple[CheckoutStore, CheckoutStore]) -> CheckoutStore:
    return stores[0]


def code_of(response: Any) -> tuple[int, str]:
    return response.status_code, problem(response)["code"]


def error_codes(response: Any) -> list[tuple[str, str]]:
    """(pointer, code) of each entry of the problem's `errors`, after checking the whole body."""
    problem(response)
    return [(error["pointer"], error["code"]) for error in response.json()["errors"]]


# ---- The happy path ----------------------------------------------------------------------------


def test_a_guest_cart_reserves_stock_and_becomes_one_order_once(store: CheckoutStore) -> None:
    # Given a guest with two bags of beans and a mug in the cart, and everything an order needs
    guest = store.shopper()
    started = guest.start()
    assert started["token"]
    assert started["status"] == "open"
    assert started["currency"] == "EUR"
    assert guest.add(store.variant.pk, 2).status_code == 201
    assert guest.add(store.mug.pk, 1).status_code == 201
    assert store.stock_row() == (10, 2)
    cart = guest.ready(voucher="ten")

    # When the guest completes it, and sends the same request again
    placed = guest.complete("attempt-1")
    again = guest.complete("attempt-1")

    # Then one order: stock taken, reservations gone, the cart closed, the order's total the cart's
    assert placed.status_code == 201, placed.content
    assert again.status_code == 200
    order = placed.json()
    assert again.json()["id"] == order["id"]
    assert placed["Location"] == f"/api/v1/orders/{order['id']}/"
    # 2 x 24.90 + 9.99 = 59.79; 10% off = 5.98 (rounded once) shared 4.98 / 1.00; + 4.90 shipping; the 19% VAT
    # included is rounded per line: 7.16 + 1.44 + 0.78 (shipping) = 9.38
    assert cart["totals"] == {
        "subtotal": {"amount": "59.79", "currency": "EUR"},
        "discount": {"amount": "5.98", "currency": "EUR"},
        "shipping": {"amount": "4.90", "currency": "EUR"},
        "tax": {"amount": "9.38", "currency": "EUR"},
        "total": {"amount": "58.71", "currency": "EUR"},
        "prices_include_tax": True,
    }
    assert order["total"] == {"amount": "58.71", "currency": "EUR"}
    assert order["status"] == "placed"
    assert store.stock_row() == (8, 0)
    assert store.stock_row(store.mug) == (99, 0)
    with tenant_transaction(store.tenant.route):
        assert not Reservation.objects.exists()
        closed = Cart.objects.get(pk=guest.cart_id)
        assert (closed.status, str(closed.order_id)) == ("completed", order["id"])
        assert Voucher.objects.get(code="TEN").used == 1
        assert OrderSummary.objects.count() == 1
    # The ledger's order.placed names the variants, the currency and the rate each line used
    [placed_event] = [Event.from_dict(e) for e in store.outbox() if e["type"] == "order.placed"]
    lines = placed_event.data["lines"]
    assert [(line["variant_id"], line["quantity"], line["rate"]) for line in lines] == [
        (str(store.variant.pk), 2, None),
        (str(store.mug.pk), 1, None),
    ]
    assert sum(Decimal(line["total"]["amount"]) for line in lines) + Decimal("4.90") == Decimal("58.71")
    assert placed_event.data["checkout"]["email"] == "ada@example.com"

    # And the cart takes nothing more; another body under the same key is refused
    assert code_of(guest.add(store.variant.pk, 1)) == (409, "cart_closed")
    assert code_of(guest.complete("attempt-1", {"note": "other"})) == (422, "idempotency_key_reused")


def test_a_cart_in_another_currency_is_converted_once_and_the_order_keeps_the_rate(store: CheckoutStore) -> None:
    guest = store.shopper()
    guest.start(currency="JPY")
    added = guest.add(store.variant.pk, 3)
    guest.ready()

    placed = guest.complete("jpy-1")

    assert added.status_code == 201, added.content
    # 24.90 EUR x 160 = 3984 JPY per bag, no fractions; 800 JPY shipping
    assert added.json()["lines"][0]["unit_price"] == {"amount": "3984", "currency": "JPY"}
    assert added.json()["lines"][0]["rate"] == "160.0000000000"
    assert placed.status_code == 201, placed.content
    assert Decimal(placed.json()["total"]["amount"]) == Decimal(3 * 3984 + 800)
    [event] = [Event.from_dict(e) for e in store.outbox() if e["type"] == "order.placed"]
    assert event.data["lines"][0]["rate"] == "160.0000000000"
    assert event.data["lines"][0]["unit_price"]["currency"] == "JPY"


def test_a_changed_price_is_shown_before_the_order_is_placed(store: CheckoutStore) -> None:
    # Given a cart made at 24.90, and the price raised since
    member = store.shopper("customer")
    member.start()
    member.add(store.variant.pk, 1)
    member.ready()
    with tenant_transaction(store.tenant.route):
        store.variant.prices.filter(currency="EUR").update(amount=Decimal("26.90"))

    # When the shopper completes, reads the cart and completes again
    refused = member.complete("first-try")
    seen = member.call("get", member.path).json()
    placed = member.complete("first-try")

    # Then no order at the old price: the cart shows the new one, and the next completion pays it
    assert code_of(refused) == (409, "prices_changed")
    assert seen["lines"][0]["unit_price"] == {"amount": "26.90", "currency": "EUR"}
    assert placed.status_code == 201, placed.content
    assert placed.json()["total"] == {"amount": "31.80", "currency": "EUR"}
    assert store.stock_row() == (9, 0)
    # Another member's token does not reach this cart
    other = store.shopper("other-customer")
    other.cart_id = member.cart_id
    assert code_of(other.call("get", other.path)) == (404, "not_found")


# ---- Stock: reservations, limits, expiry --------------------------------------------------------


def test_more_than_the_stock_is_a_409_naming_the_line_and_reserves_nothing(store: CheckoutStore) -> None:
    first, second = store.shopper(), store.shopper()
    first.start()
    second.start()
    assert first.add(store.variant.pk, 8).status_code == 201

    refused = second.add(store.variant.pk, 3)

    assert code_of(refused) == (409, "out_of_stock")
    assert error_codes(refused) == [("/quantity", "out_of_stock")]
    assert refused.json()["errors"][0]["detail"] == f"{store.variant.sku}: 3 wanted, 2 left."
    assert store.stock_row() == (10, 8)
    with tenant_transaction(store.tenant.route):
        assert not CartLine.objects.filter(cart_id=second.cart_id).exists()


def test_lapsed_reservations_are_released_by_the_task_and_on_reading_an_expired_cart(store: CheckoutStore) -> None:
    # Given two carts holding stock, one reservation lapsed and one cart untouched for days
    lapsed, stale = store.shopper(), store.shopper()
    lapsed.start()
    stale.start()
    lapsed.add(store.variant.pk, 3)
    stale.add(store.variant.pk, 4)
    with tenant_transaction(store.tenant.route):
        Reservation.objects.filter(line__cart_id=lapsed.cart_id).update(expires_at=timezone.now() - timedelta(1))
        Cart.objects.filter(pk=stale.cart_id).update(updated_at=timezone.now() - timedelta(days=30))
        Reservation.objects.filter(line__cart_id=stale.cart_id).update(expires_at=timezone.now() - timedelta(1))
    assert store.stock_row() == (10, 7)

    # When the beat's task runs (as the worker would: as the tenant), and the stale cart is read
    with as_tenant(store.tenant.slug):
        released = release_expired_reservations()
    read = stale.call("get", stale.path)

    # Then the stock is free again and the stale cart shows as expired; running again changes nothing
    assert released == 7
    assert store.stock_row() == (10, 0)
    assert read.json()["status"] == "expired"
    with as_tenant(store.tenant.slug):
        assert release_expired_reservations() == 0
    assert code_of(stale.add(store.variant.pk, 1)) == (409, "cart_closed")
    # A lapsed (but not expired) cart still completes while stock lasts: it takes free stock
    lapsed.ready()
    assert lapsed.complete("lapsed").status_code == 201
    assert store.stock_row() == (7, 0)


def test_the_beat_task_releases_lapsed_reservations_in_a_real_worker_as_the_tenant(
    stores: tuple[CheckoutStore, CheckoutStore],
) -> None:
    # Given lapsed reservations at both stores
    alpha, bravo = stores
    for store in stores:
        guest = store.shopper()
        guest.start()
        guest.add(store.variant.pk, 5)
        with tenant_transaction(store.tenant.route):
            Reservation.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    queue = f"checkout-{secrets.token_hex(4)}"

    # When the task is sent as Beat sends a tenant's entry (the tenant in a header), to a real worker
    try:
        with worker_on_queue(celery_app, queue):
            release_task.apply_async(kwargs={"tz": "UTC"}, queue=queue, headers={TENANT_HEADER: alpha.tenant.slug})
            released = wait_until(lambda: alpha.stock_row() == (10, 0))
    finally:
        delete_queue(celery_app, queue)

    # Then that tenant's stock is free again, and only that tenant's
    assert released, alpha.stock_row()
    assert bravo.stock_row() == (10, 5)


def wait_until(condition: Any, timeout: float = 30) -> bool:
    deadline = time.monotonic() + timeout
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.05)
    return bool(condition())


def test_changing_a_line_reserves_more_or_gives_back(store: CheckoutStore) -> None:
    guest = store.shopper()
    guest.start()
    line_id = guest.add(store.variant.pk, 2).json()["lines"][0]["id"]

    more = guest.call("patch", f"{guest.path}lines/{line_id}/", {"quantity": 7})
    reserved_more = store.stock_row()
    less = guest.call("patch", f"{guest.path}lines/{line_id}/", {"quantity": 1})
    reserved_less = store.stock_row()
    removed = guest.call("patch", f"{guest.path}lines/{line_id}/", {"quantity": 0})

    assert [r.status_code for r in (more, less, removed)] == [200, 200, 200]
    assert (reserved_more, reserved_less, store.stock_row()) == ((10, 7), (10, 1), (10, 0))
    assert removed.json()["lines"] == []


# ---- Bad input: clear errors, nothing half-made ---------------------------------------------------


@pytest.mark.parametrize(
    ("body", "pointer", "code"),
    [
        ({"quantity": -1}, "/quantity", "min_value"),
        ({"quantity": 0}, "/quantity", "min_value"),
        ({"quantity": 21}, "/quantity", "quantity_out_of_range"),
        ({"quantity": 10**12}, "/quantity", "max_value"),
        ({"quantity": "lots"}, "/quantity", "invalid"),
        ({"variant": 999999}, "/variant", "not_for_sale"),
    ],
)
def test_bad_lines_are_refused_and_reserve_nothing(
    store: CheckoutStore, body: dict[str, Any], pointer: str, code: str
) -> None:
    guest = store.shopper()
    guest.start()

    refused = guest.call("post", f"{guest.path}lines/", {"variant": store.variant.pk, "quantity": 1, **body})

    assert refused.status_code == 400, refused.content
    assert error_codes(refused) == [(pointer, code)]
    assert store.stock_row() == (10, 0)


def test_unknown_currencies_absurd_addresses_and_huge_carts_are_refused(store: CheckoutStore) -> None:
    shopper = store.shopper()
    unknown = shopper.call("post", "/api/v1/checkout/carts/", {"currency": "XYZ"})
    not_sold = shopper.call("post", "/api/v1/checkout/carts/", {"currency": "GBP"})
    shopper.start()
    absurd = shopper.details(shipping_address={**ADDRESS, "postal_code": "ABCDEFG", "city": ""})
    nowhere = shopper.details(shipping_address={**ADDRESS, "country": "QQ"})
    endless = shopper.details(shipping_address={**ADDRESS, "city": "B" * 5000})
    unknown_field = shopper.details(shipping_address={**ADDRESS, "planet": "Mars"})
    lines = [shopper.add(variant, 1) for variant in (store.variant.pk, store.mug.pk)]
    # The store allows 5 lines: make more variants to overflow it
    extra = _variants(store, 4)
    added = [shopper.add(variant, 1) for variant in extra]
    incomplete = shopper.complete("too-soon")
    no_key = shopper.complete(None)

    # XYZ is no currency at all, GBP one the store does not sell in
    assert error_codes(unknown) == [("/currency", "currency_not_offered")]
    assert error_codes(not_sold) == [("/currency", "currency_not_offered")]
    assert code_of(absurd) == (400, "invalid")
    assert sorted(error_codes(absurd)) == [
        ("/shipping_address/city", "required"),
        ("/shipping_address/postal_code", "invalid"),
    ]
    assert error_codes(nowhere) == [("/shipping_address/country", "invalid")]
    assert error_codes(endless) == [("/shipping_address/city", "max_length")]
    assert code_of(unknown_field) == (400, "invalid")
    assert [r.status_code for r in lines + added] == [201, 201, 201, 201, 201, 400]
    assert error_codes(added[-1]) == [("/variant", "too_many_lines")]
    assert code_of(incomplete) == (400, "invalid")
    assert {pointer for pointer, _ in error_codes(incomplete)} == {
        "/email",
        "/shipping_address",
        "/billing_address",
        "/shipping_method",
    }
    assert code_of(no_key) == (400, "idempotency_key_required")
    with tenant_transaction(store.tenant.route):
        cart = Cart.objects.get(pk=shopper.cart_id)
        assert (cart.shipping_address, cart.status, OrderSummary.objects.count()) == ({}, "open", 0)


def test_an_order_too_large_for_the_ledger_is_refused_before_anything_is_taken(store: CheckoutStore) -> None:
    with tenant_transaction(store.tenant.route):
        store.variant.prices.filter(currency="EUR").update(amount=Decimal("999999999999.00"))
    guest = store.shopper()
    guest.start()
    guest.add(store.variant.pk, 2)
    guest.ready()

    refused = guest.complete("huge")

    assert error_codes(refused) == [("/lines", "total_too_large")]
    assert store.stock_row() == (10, 2)  # still reserved for the cart, nothing taken
    with tenant_transaction(store.tenant.route):
        assert (OrderSummary.objects.count(), Cart.objects.get(pk=guest.cart_id).status) == (0, "open")


def _variants(store: CheckoutStore, count: int) -> list[int]:
    from tenant_app.catalog.models import ProductVariant, Stock

    with tenant_transaction(store.tenant.route):
        made = []
        for index in range(count):
            variant = ProductVariant.objects.create(product=store.mug.product, sku=f"{store.mug.sku}-{index}")
            variant.prices.create(currency="EUR", amount=Decimal("1.00"))
            Stock.objects.create(variant=variant, location="main", quantity=5)
            made.append(variant.pk)
        return made


# ---- Vouchers --------------------------------------------------------------------------------------


def test_a_once_per_customer_voucher_with_a_limit_is_counted_in_the_completion(store: CheckoutStore) -> None:
    with tenant_transaction(store.tenant.route):
        Voucher.objects.create(
            code="ONCE",
            kind="fixed",
            value=Decimal(5),
            currency="EUR",
            once_per_customer=True,
            usage_limit=2,
            min_spend=Decimal(20),
        )
    first, second = store.shopper(), store.shopper()
    for shopper in (first, second):
        shopper.start()
        shopper.add(store.variant.pk, 1)
    below = store.shopper()
    below.start()
    below.add(store.mug.pk, 1)

    first.ready(voucher="ONCE")
    done = first.complete("v-1")
    second.ready()
    again = second.details(voucher="once")  # the same email: once per customer
    too_little = below.details(voucher="ONCE")

    assert done.status_code == 201, done.content
    assert Decimal(done.json()["total"]["amount"]) == Decimal("24.90") - 5 + Decimal("4.90")
    assert code_of(again) == (409, "voucher_already_used")
    assert code_of(too_little) == (400, "invalid")
    assert error_codes(too_little) == [("/voucher", "voucher_min_spend")]
    with tenant_transaction(store.tenant.route):
        assert Voucher.objects.get(code="ONCE").used == 1
        assert VoucherRedemption.objects.filter(voucher__code="ONCE").count() == 1


# ---- Sign-in merge and cancellation ------------------------------------------------------------------


def test_a_guest_cart_joins_the_shoppers_cart_at_sign_in_within_stock(store: CheckoutStore) -> None:
    member = store.shopper("customer")
    member.start()
    member.add(store.variant.pk, 6)
    guest = store.shopper()
    guest.start()
    guest.add(store.variant.pk, 3)
    guest.add(store.mug.pk, 2)

    merged = member.call("post", "/api/v1/checkout/carts/merge/", {"cart": guest.cart_id, "token": guest.token})

    assert merged.status_code == 200, merged.content
    body = merged.json()
    assert body["id"] == member.cart_id
    assert sorted((line["sku"], line["quantity"]) for line in body["lines"]) == sorted(
        [(store.variant.sku, 9), (store.mug.sku, 2)]
    )
    assert store.stock_row() == (10, 9)
    assert store.stock_row(store.mug) == (100, 2)
    assert guest.call("get", guest.path).json()["status"] == "merged"
    # Merging again is refused; the guest's token alone does not reach the member's cart
    again = member.call("post", "/api/v1/checkout/carts/merge/", {"cart": guest.cart_id, "token": guest.token})
    assert code_of(again) == (409, "cart_closed")


def test_cancelling_an_order_from_a_checkout_returns_its_stock(store: CheckoutStore) -> None:
    member = store.shopper("customer")
    member.start()
    member.add(store.variant.pk, 4)
    member.ready()
    order = member.complete("member-1").json()
    assert store.stock_row() == (6, 0)

    cancelled = store.call("manager", "post", f"/api/v1/orders/{order['id']}/cancel/", {"reason": "test"})

    assert cancelled.status_code == 200, cancelled.content
    assert store.stock_row() == (10, 0)
    assert order["customer"] == store.ids["customer"]


# ---- Isolation ------------------------------------------------------------------------------------------


CART_QUERY = "query($id: UUID!, $token: String) { cart(id: $id, token: $token) { id status lines { sku } } }"
COMPLETE = (
    "mutation($id: UUID!, $token: String, $key: String!) "
    "{ completeCheckout(cartId: $id, token: $token, idempotencyKey: $key) { id total { amount currency } replayed } }"
)


def test_a_cart_of_one_store_is_useless_at_another_over_rest_and_graphql(
    stores: tuple[CheckoutStore, CheckoutStore],
) -> None:
    alpha, bravo = stores
    guest = alpha.shopper()
    guest.start()
    guest.add(alpha.variant.pk, 1)

    # The same id and token, sent to the other store
    at_bravo = bravo.shopper()
    at_bravo.cart_id, at_bravo.token = guest.cart_id, guest.token
    read = at_bravo.call("get", at_bravo.path)
    add = at_bravo.add(bravo.variant.pk, 1)
    complete = at_bravo.complete("steal")
    graphql = at_bravo.call(
        "post", "/graphql/", {"query": CART_QUERY, "variables": {"id": guest.cart_id, "token": guest.token}}
    )
    # And at its own store without its token
    tokenless = alpha.shopper()
    tokenless.cart_id = guest.cart_id
    no_token = tokenless.call("get", tokenless.path)

    assert [code_of(r) for r in (read, add, complete, no_token)] == [(404, "not_found")] * 4
    assert graphql.json()["data"] is None
    assert graphql.json()["errors"][0]["extensions"]["reason"] == "not_found"
    assert guest.call("get", guest.path).json()["lines"][0]["sku"] == alpha.variant.sku


def test_graphql_starts_fills_and_completes_a_cart(store: CheckoutStore) -> None:
    guest = store.shopper()
    created = guest.call("post", "/graphql/", {"query": "mutation { createCart { token cart { id currency } } }"})
    made = created.json()["data"]["createCart"]
    guest.cart_id, guest.token = made["cart"]["id"], made["token"]
    added = guest.call(
        "post",
        "/graphql/",
        {
            "query": "mutation($id: UUID!, $v: Int!) { addCartLine(cartId: $id, variant: $v, quantity: 2) "
            "{ lines { sku quantity } totals { total { amount } } } }",
            "variables": {"id": guest.cart_id, "v": store.variant.pk},
        },
    )
    details = guest.call(
        "post",
        "/graphql/",
        {
            "query": "mutation($id: UUID!, $address: JSON!, $method: Int!) { updateCart(cartId: $id, "
            'email: "ada@example.com", shippingAddress: $address, billingAddress: $address, '
            "shippingMethod: $method) { email totals { shipping { amount } } } }",
            "variables": {"id": guest.cart_id, "address": ADDRESS, "method": store.parcel.pk},
        },
    )
    absurd = guest.call(
        "post",
        "/graphql/",
        {
            "query": "mutation($id: UUID!, $address: JSON!) { updateCart(cartId: $id, shippingAddress: $address) "
            "{ email } }",
            "variables": {"id": guest.cart_id, "address": {**ADDRESS, "postal_code": "ABCDEFG"}},
        },
    )
    done = guest.call("post", "/graphql/", {"query": COMPLETE, "variables": {"id": guest.cart_id, "key": "gql-1"}})
    again = guest.call("post", "/graphql/", {"query": COMPLETE, "variables": {"id": guest.cart_id, "key": "gql-1"}})

    assert made["cart"]["currency"] == "EUR"
    assert made["token"]
    assert added.json()["data"]["addCartLine"]["lines"] == [{"sku": store.variant.sku, "quantity": 2}]
    assert details.json()["data"]["updateCart"] == {
        "email": "ada@example.com",
        "totals": {"shipping": {"amount": "4.90"}},
    }
    [refusal] = absurd.json()["errors"]
    assert refusal["extensions"]["reason"] == "invalid"
    assert refusal["extensions"]["errors"][0]["pointer"] == "/shipping_address/postal_code"
    order = done.json()["data"]["completeCheckout"]
    assert order["total"] == {"amount": "54.70", "currency": "EUR"}
    assert order["replayed"] is False
    assert again.json()["data"]["completeCheckout"] == {**order, "replayed": True}
    assert store.stock_row() == (8, 0)
