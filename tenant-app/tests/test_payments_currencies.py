"""Zero-decimal (JPY) and three-decimal (KWD) money end to end: the order ledger keeps each currency's ISO 4217
decimals, and each gateway's stand-in receives the minor units that gateway documents (Stripe: JPY whole yen,
KWD thousandths ending in 0; Razorpay: ISO subunits, KWD ending in 0; PayPal: JPY without decimals, no KWD).

Also the stand-ins' own hardening: what PayPal and Razorpay answer to an amount such as "Infinity".
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
import requests

from tenant_app.payments.gateways.base import AmountNotPayable
from tenant_app.payments.gateways.paypal import paypal_value
from tenant_app.payments.gateways.stripe import from_stripe, to_stripe
from tenant_app.payments.models import Payment
from tenantry_kernel.testing.paypal import PayPalStandIn
from tenantry_kernel.testing.razorpay import RazorpayStandIn

from .conftest import ShardTenant
from .payments_shop import (  # noqa: F401 (fixtures)
    PayingStore,
    card,
    connected_gateways,
    localstripe_server,
    paypal_server,
    razorpay_server,
    stripe_client,
)
from .shop import error, money

pytestmark = pytest.mark.usefixtures("gateways")

VISA = "4242424242424242"


@pytest.fixture
def shop(shard: tuple[str, list[ShardTenant]]) -> PayingStore:
    store = PayingStore(shard[1][0], "alpha")
    for gateway in ("stripe", "paypal", "razorpay"):
        assert store.connect(gateway).status_code == 200
    return store


def paid(shop: PayingStore, gateway: str, order_id: str, standins: dict[str, Any]) -> dict[str, Any]:
    """The order paid at `gateway` as its buyer would, through the REST API; the captured payment."""
    started = shop.pay(order_id, gateway)
    assert started.status_code == 201, started.content
    payment: dict[str, Any] = started.json()
    if gateway == "stripe":
        confirmed = shop.confirm(payment["id"], {"payment_method": card(standins["stripe"], shop, VISA)})
    elif gateway == "paypal":
        standins["paypal"].approve(payment["reference"])
        confirmed = shop.confirm(payment["id"], {})
    else:
        confirmed = shop.confirm(payment["id"], standins["razorpay"].pay(payment["reference"]))
    assert confirmed.status_code == 200, confirmed.content
    body: dict[str, Any] = confirmed.json()
    assert body["status"] == "captured"
    return body


def amount_at_gateway(gateway: str, reference: str, shop: PayingStore, standins: dict[str, Any]) -> Any:
    """What the gateway holds as the payment's amount, read from the stand-in (its own units)."""
    if gateway == "stripe":
        intent = stripe_client(standins["stripe"], shop).v1.payment_intents.retrieve(reference)
        return (intent.amount, intent.currency)
    if gateway == "paypal":
        unit = standins["paypal"].orders[reference]["purchase_units"][0]["amount"]
        return (unit["value"], unit["currency_code"])
    order = standins["razorpay"].orders[reference]
    return (order["amount"], order["currency"])


@pytest.mark.parametrize(
    ("gateway", "at_gateway"),
    [("stripe", (1200, "jpy")), ("paypal", ("1200", "JPY")), ("razorpay", (1200, "JPY"))],
)
def test_a_yen_order_is_paid_and_refunded_in_whole_yen_at_each_gateway(
    shop: PayingStore, gateways: dict[str, Any], gateway: str, at_gateway: tuple[Any, str]
) -> None:
    order_id = shop.order(shop.yen)  # 1200 JPY

    payment = paid(shop, gateway, order_id, gateways)
    refund = shop.call("manager", "post", f"/api/v1/payments/{payment['id']}/refund/", {"amount": money("200", "JPY")})
    cents = shop.call("manager", "post", f"/api/v1/payments/{payment['id']}/refund/", {"amount": money("0.5", "JPY")})

    assert payment["amount"] == {"amount": "1200", "currency": "JPY"}
    assert amount_at_gateway(gateway, payment["reference"], shop, gateways) == at_gateway
    assert refund.status_code == 200, refund.content
    assert refund.json()["refunded"] == {"amount": "200", "currency": "JPY"}
    assert error(cents)[:2] == (400, "invalid")
    assert error(cents)[2] == {"/amount/amount": ["JPY has 0 decimals; 0.5 JPY has more."]}
    assert shop.ledger(order_id) == [("order.placed", ""), ("order.paid", "1200"), ("order.refunded", "200")]
    state = shop.order_state(order_id)
    assert (state["total"], state["paid"], state["refunded"]) == (
        {"amount": "1200", "currency": "JPY"},
        {"amount": "1200", "currency": "JPY"},
        {"amount": "200", "currency": "JPY"},
    )


@pytest.mark.parametrize(("gateway", "at_gateway"), [("stripe", (24700, "kwd")), ("razorpay", (24700, "KWD"))])
def test_a_dinar_order_keeps_three_decimals_and_reaches_the_gateway_in_fils(
    shop: PayingStore, gateways: dict[str, Any], gateway: str, at_gateway: tuple[int, str]
) -> None:
    dinar = shop.product("Saffron", "12.35", "KWD")
    order_id = shop.order(dinar, quantity=2)  # 24.700 KWD

    payment = paid(shop, gateway, order_id, gateways)
    refund = shop.call(
        "manager", "post", f"/api/v1/payments/{payment['id']}/refund/", {"amount": money("1.250", "KWD")}
    )
    # 1.255 KWD is an amount in KWD, but neither Stripe nor Razorpay takes a third decimal other than 0.
    odd = shop.call("manager", "post", f"/api/v1/payments/{payment['id']}/refund/", {"amount": money("1.255", "KWD")})
    too_fine = shop.call(
        "manager", "post", f"/api/v1/payments/{payment['id']}/refund/", {"amount": money("1.2505", "KWD")}
    )

    assert payment["amount"] == {"amount": "24.700", "currency": "KWD"}
    assert amount_at_gateway(gateway, payment["reference"], shop, gateways) == at_gateway
    assert refund.status_code == 200, refund.content
    assert refund.json()["refunded"] == {"amount": "1.250", "currency": "KWD"}
    assert error(odd)[:2] == (400, "amount_not_payable")
    assert error(too_fine)[:2] == (400, "invalid")
    assert shop.ledger(order_id) == [("order.placed", ""), ("order.paid", "24.700"), ("order.refunded", "1.250")]
    assert shop.order_state(order_id)["refunded"] == {"amount": "1.250", "currency": "KWD"}


def test_paypal_does_not_take_dinars_and_says_so_before_calling(shop: PayingStore, paypal: PayPalStandIn) -> None:
    order_id = shop.order(shop.product("Saffron", "12.35", "KWD"))
    orders_before = len(paypal.orders)

    refused = shop.pay(order_id, "paypal")

    assert error(refused)[:2] == (400, "currency_not_supported")
    assert len(paypal.orders) == orders_before
    with shop.inside():
        assert Payment.objects.count() == 0


def test_an_order_amount_beyond_its_currencys_decimals_is_refused_by_the_ledger(shop: PayingStore) -> None:
    too_fine_yen = shop.product("Sweet", "12.50", "JPY")

    refused = shop.call("customer", "post", "/api/v1/orders/", {"lines": [{"product": too_fine_yen, "quantity": 1}]})

    assert error(refused)[:2] == (400, "invalid")
    assert "JPY has 0 decimals" in str(error(refused)[2])


def test_each_gateways_minor_units() -> None:
    assert to_stripe(Decimal("1200"), "JPY") == 1200
    assert to_stripe(Decimal("12.50"), "EUR") == 1250
    assert to_stripe(Decimal("1.250"), "KWD") == 1250
    assert to_stripe(Decimal("500"), "ISK") == 50000  # zero-decimal in ISO 4217, two decimals at Stripe
    assert to_stripe(Decimal("300.00"), "MGA") == 300  # two decimals in ISO 4217, zero-decimal at Stripe
    assert from_stripe(50000, "ISK") == Decimal("500")
    assert from_stripe(1250, "KWD") == Decimal("1.250")
    assert paypal_value(Decimal("1200"), "JPY") == "1200"
    assert paypal_value(Decimal("1200.00"), "HUF") == "1200"  # PayPal writes HUF without decimals
    for refused in ((Decimal("1.255"), "KWD"), (Decimal("300.50"), "MGA"), (Decimal("12.5"), "JPY")):
        with pytest.raises(AmountNotPayable):
            to_stripe(*refused)
    with pytest.raises(AmountNotPayable):
        paypal_value(Decimal("12.50"), "HUF")
    with pytest.raises(AmountNotPayable):
        to_stripe(Decimal("NaN"), "EUR")


# ---- The stand-ins answer malformed amounts as the gateways do, never crash -----------------------------


def paypal_token(paypal: PayPalStandIn) -> str:
    response = requests.post(
        f"{paypal.url}/v1/oauth2/token",
        data={"grant_type": "client_credentials"},
        auth=("paypal-client-alpha", "paypal-secret-alpha"),
        timeout=5,
    )
    response.raise_for_status()
    return str(response.json()["access_token"])


@pytest.mark.parametrize(
    ("value", "currency", "status", "issue"),
    [
        ("Infinity", "EUR", 400, "INVALID_PARAMETER_SYNTAX"),
        ("NaN", "EUR", 400, "INVALID_PARAMETER_SYNTAX"),
        ("1e3", "EUR", 400, "INVALID_PARAMETER_SYNTAX"),
        (12.5, "EUR", 400, "INVALID_PARAMETER_SYNTAX"),
        ("12.5", "EUR", 422, "DECIMAL_PRECISION"),
        ("12.00", "JPY", 422, "DECIMAL_PRECISION"),
        ("0.00", "EUR", 422, "CANNOT_BE_ZERO_OR_NEGATIVE"),
        ("1.250", "KWD", 422, "CURRENCY_NOT_SUPPORTED"),
    ],
)
def test_the_paypal_stand_in_refuses_bad_amounts_with_paypals_error_bodies(
    paypal: PayPalStandIn, value: Any, currency: str, status: int, issue: str
) -> None:
    body = {"intent": "CAPTURE", "purchase_units": [{"amount": {"currency_code": currency, "value": value}}]}

    response = requests.post(
        f"{paypal.url}/v2/checkout/orders",
        json=body,
        headers={"Authorization": f"Bearer {paypal_token(paypal)}"},
        timeout=5,
    )

    assert response.status_code == status
    assert response.json()["details"][0]["issue"] == issue
    assert response.json()["name"] == ("INVALID_REQUEST" if status == 400 else "UNPROCESSABLE_ENTITY")


def test_the_paypal_stand_in_answers_a_body_that_is_not_json(paypal: PayPalStandIn) -> None:
    response = requests.post(
        f"{paypal.url}/v2/checkout/orders",
        data=b"{not json",
        headers={"Authorization": f"Bearer {paypal_token(paypal)}", "Content-Type": "application/json"},
        timeout=5,
    )

    assert response.status_code == 400
    assert response.json()["details"][0]["issue"] == "MALFORMED_REQUEST_JSON"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (b'{"amount": Infinity, "currency": "INR"}', "amount"),
        (b'{"amount": 100.5, "currency": "INR"}', "amount"),
        (b'{"amount": true, "currency": "INR"}', "amount"),
        (b'{"amount": 1255, "currency": "KWD"}', "amount"),
        (b'{"amount": 1000, "currency": "KWD", "payment_capture": "maybe"}', "payment_capture"),
        (b"[1, 2]", None),
    ],
)
def test_the_razorpay_stand_in_refuses_bad_amounts_with_razorpays_error_body(
    razorpay: RazorpayStandIn, body: bytes, field: str | None
) -> None:
    response = requests.post(
        f"{razorpay.url}/v1/orders",
        data=body,
        auth=("rzp_test_alpha", "rzp-secret-alpha"),
        headers={"Content-Type": "application/json"},
        timeout=5,
    )

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "BAD_REQUEST_ERROR"
    assert response.json()["error"]["field"] == field
