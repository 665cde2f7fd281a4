"""Payments in GraphQL: a customer starts and confirms a payment, staff capture and refund, everyone reads what
they may; and one store's payment and order ids are useless at another, over GraphQL and REST alike."""

from __future__ import annotations

from typing import Any

import pytest

from tenant_app.payments.models import Payment
from tenantry_kernel.testing.razorpay import RazorpayStandIn

from .conftest import ShardTenant
from .payments_shop import (  # noqa: F401 (fixtures)
    PayingStore,
    connected_gateways,
    localstripe_server,
    paypal_server,
    razorpay_server,
)
from .shop import error, money

pytestmark = pytest.mark.usefixtures("gateways")

FIELDS = (
    "id order gateway reference status amount { amount currency } captured { amount currency } "
    "refunded { amount currency } manualCapture nextAction failure"
)
START = f"""mutation($order: UUID!, $gateway: String!, $manual: Boolean!) {{
  startPayment(order: $order, gateway: $gateway, manualCapture: $manual) {{ {FIELDS} }} }}"""
CONFIRM = f"""mutation($id: UUID!, $paymentId: String, $signature: String) {{
  confirmPayment(id: $id, razorpayPaymentId: $paymentId, razorpaySignature: $signature) {{ {FIELDS} }} }}"""
CAPTURE = f"mutation($id: UUID!) {{ capturePayment(id: $id) {{ {FIELDS} }} }}"
REFUND = f"""mutation($id: UUID!, $amount: MoneyInput!) {{ refundPayment(id: $id, amount: $amount) {{ {FIELDS} }} }}"""
READ = f"query($id: UUID!) {{ payment(id: $id) {{ {FIELDS} }} }}"
OF_ORDER = "query($order: UUID!) { paymentsOfOrder(order: $order) { id status } }"


@pytest.fixture
def shops(shard: tuple[str, list[ShardTenant]]) -> tuple[PayingStore, PayingStore]:
    alpha, bravo = PayingStore(shard[1][0], "alpha"), PayingStore(shard[1][1], "bravo")
    for store in (alpha, bravo):
        assert store.connect("razorpay").status_code == 200
    return alpha, bravo


def codes(body: dict[str, Any]) -> list[tuple[str, str]]:
    return [(e["extensions"]["code"], e["extensions"].get("reason", "")) for e in body.get("errors", [])]


def test_a_customer_pays_and_staff_capture_and_refund_over_graphql(
    shops: tuple[PayingStore, PayingStore], razorpay: RazorpayStandIn
) -> None:
    shop = shops[0]
    order_id = shop.order()

    started = shop.graphql("customer", START, order=order_id, gateway="razorpay", manual=True)
    payment = started["data"]["startPayment"]
    handler = razorpay.pay(payment["reference"])
    confirmed = shop.graphql(
        "customer",
        CONFIRM,
        id=payment["id"],
        paymentId=handler["razorpay_payment_id"],
        signature=handler["razorpay_signature"],
    )
    by_customer = shop.graphql("customer", CAPTURE, id=payment["id"])
    captured = shop.graphql("manager", CAPTURE, id=payment["id"])
    twice = shop.graphql("manager", CAPTURE, id=payment["id"])
    refunded = shop.graphql("manager", REFUND, id=payment["id"], amount={"amount": "20.00", "currency": "EUR"})
    wrong_currency = shop.graphql("manager", REFUND, id=payment["id"], amount={"amount": "1", "currency": "USD"})
    read = shop.graphql("customer", READ, id=payment["id"])
    listed = shop.graphql("customer", OF_ORDER, order=order_id)

    assert "errors" not in started, started
    assert payment["status"] == "pending"
    assert payment["amount"] == money("120.00")
    assert payment["nextAction"] == {
        "type": "razorpay_checkout",
        "order_id": payment["reference"],
        "key_id": "rzp_test_alpha",
    }
    assert confirmed["data"]["confirmPayment"]["status"] == "authorized"
    assert codes(by_customer) == [("FORBIDDEN", "forbidden")]
    assert captured["data"]["capturePayment"]["status"] == "captured"
    assert codes(twice) == [("CONFLICT", "payment_not_capturable")]
    assert refunded["data"]["refundPayment"]["refunded"] == money("20.00")
    assert codes(wrong_currency) == [("BAD_USER_INPUT", "invalid")]
    assert read["data"]["payment"]["refunded"] == money("20.00")
    assert listed["data"]["paymentsOfOrder"] == [{"id": payment["id"], "status": "captured"}]
    assert shop.ledger(order_id) == [
        ("order.placed", ""),
        ("order.payment_authorized", "120.00"),
        ("order.paid", "120.00"),
        ("order.refunded", "20.00"),
    ]


def test_a_gateway_refusal_over_graphql_carries_rests_code(shops: tuple[PayingStore, PayingStore]) -> None:
    shop = shops[0]
    assert shop.connect("paypal").status_code == 200
    order_id = shop.order(shop.product("Saffron", "12.35", "KWD"))

    refused = shop.graphql("customer", START, order=order_id, gateway="paypal", manual=False)
    unknown = shop.graphql("customer", START, order=order_id, gateway="bitcoin", manual=False)

    assert codes(refused) == [("CURRENCY_NOT_SUPPORTED", "currency_not_supported")]
    assert codes(unknown) == [("BAD_USER_INPUT", "invalid")]
    with shop.inside():
        assert Payment.objects.count() == 0


def test_one_stores_payment_and_order_ids_are_useless_at_another_over_graphql_and_rest(
    shops: tuple[PayingStore, PayingStore], razorpay: RazorpayStandIn
) -> None:
    alpha, bravo = shops
    order_id = alpha.order()
    payment = alpha.graphql("customer", START, order=order_id, gateway="razorpay", manual=True)["data"]["startPayment"]
    handler = razorpay.pay(payment["reference"])
    assert alpha.confirm(payment["id"], handler).json()["status"] == "authorized"
    refund_body = {"amount": {"amount": "1.00", "currency": "EUR"}}

    at_bravo = {
        "read": bravo.graphql("manager", READ, id=payment["id"]),
        "of order": bravo.graphql("manager", OF_ORDER, order=order_id),
        "start": bravo.graphql("customer", START, order=order_id, gateway="razorpay", manual=False),
        "confirm": bravo.graphql(
            "customer",
            CONFIRM,
            id=payment["id"],
            paymentId=handler["razorpay_payment_id"],
            signature=handler["razorpay_signature"],
        ),
        "capture": bravo.graphql("owner", CAPTURE, id=payment["id"]),
        "refund": bravo.graphql("owner", REFUND, id=payment["id"], **refund_body),
    }
    rest_at_bravo = {
        "read": bravo.call("manager", "get", f"/api/v1/payments/{payment['id']}/"),
        "capture": bravo.call("owner", "post", f"/api/v1/payments/{payment['id']}/capture/"),
        "refund": bravo.call("owner", "post", f"/api/v1/payments/{payment['id']}/refund/", refund_body),
        "start": bravo.pay(order_id, "razorpay"),
    }
    other_customer = alpha.graphql("other-customer", READ, id=payment["id"])
    other_customer_capture = alpha.graphql("other-customer", CAPTURE, id=payment["id"])

    assert {name: codes(body) for name, body in at_bravo.items()} == {
        name: [("NOT_FOUND", "not_found")] for name in at_bravo
    }
    assert {name: error(response)[:2] for name, response in rest_at_bravo.items()} == {
        name: (404, "not_found") for name in rest_at_bravo
    }
    assert codes(other_customer) == [("NOT_FOUND", "not_found")]
    assert codes(other_customer_capture) == [("FORBIDDEN", "forbidden")]
    assert razorpay.payments[handler["razorpay_payment_id"]]["status"] == "authorized"  # nothing captured
    assert alpha.ledger(order_id) == [("order.placed", ""), ("order.payment_authorized", "120.00")]
    with bravo.inside():
        assert Payment.objects.count() == 0
