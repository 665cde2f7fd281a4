"""Every payment state change through the order ledger, per gateway: an authorization recorded, then settled by
the capture; a hold that lapses (or a capture that fails) cancels the order through `cancel_order`; webhooks
before the redirect, twice or out of order change nothing wrong; a payment the server never heard back about is
reconciled; and no gateway is ever called inside an open database transaction.
"""

from __future__ import annotations

import io
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core.management import call_command

from tenant_app.orders.models import OrderSummary
from tenant_app.payments import actions
from tenant_app.payments.models import Payment
from tenantry_kernel.context import bound_tenant
from tenantry_kernel.testing.paypal import PayPalStandIn
from tenantry_kernel.testing.razorpay import RazorpayStandIn
from tenantry_kernel.testing.stripe import signed_event

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
from .shop import error

pytestmark = pytest.mark.usefixtures("gateways")

VISA, DECLINED = "4242424242424242", "4000000000000341"
GATEWAYS = ("stripe", "paypal", "razorpay")


@pytest.fixture
def shop(shard: tuple[str, list[ShardTenant]]) -> PayingStore:
    store = PayingStore(shard[1][0], "alpha")
    for gateway in GATEWAYS:
        assert store.connect(gateway).status_code == 200
    return store


def authorized(shop: PayingStore, gateway: str, standins: dict[str, Any]) -> tuple[str, dict[str, Any], str]:
    """An order and its payment authorized at `gateway` (manual capture); and the gateway's id to act on."""
    order_id = shop.order()
    started = shop.pay(order_id, gateway, manual_capture=True)
    assert started.status_code == 201, started.content
    payment: dict[str, Any] = started.json()
    handle = payment["reference"]
    if gateway == "stripe":
        buyer = {"payment_method": card(standins["stripe"], shop, VISA)}
    elif gateway == "paypal":
        standins["paypal"].approve(payment["reference"])
        buyer = {}
    else:
        buyer = standins["razorpay"].pay(payment["reference"])
        handle = buyer["razorpay_payment_id"]
    confirmed = shop.confirm(payment["id"], buyer)
    assert confirmed.status_code == 200, confirmed.content
    assert confirmed.json()["status"] == "authorized"
    return order_id, confirmed.json(), handle


def held(shop: PayingStore, order_id: str) -> Decimal:
    with shop.inside():
        return OrderSummary.objects.get(pk=order_id).authorized


def stripe_hook(shop: PayingStore, url: str, event_type: str, reference: str, event_id: str) -> Any:
    intent = stripe_client(url, shop).v1.payment_intents.retrieve(reference).to_dict()
    body, signature = signed_event(event_type, intent, shop.credentials["stripe"]["webhook_secret"], event_id=event_id)
    return body, {"Stripe-Signature": signature}


@pytest.mark.parametrize("gateway", GATEWAYS)
def test_an_authorization_is_recorded_in_the_ledger_and_the_capture_settles_it(
    shop: PayingStore, gateways: dict[str, Any], gateway: str
) -> None:
    order_id, payment, _ = authorized(shop, gateway, gateways)
    while_held = (shop.ledger(order_id), shop.order_state(order_id)["status"], held(shop, order_id))

    captured = shop.call("manager", "post", f"/api/v1/payments/{payment['id']}/capture/")

    assert while_held == ([("order.placed", ""), ("order.payment_authorized", "120.00")], "placed", Decimal("120"))
    assert captured.status_code == 200, captured.content
    assert captured.json()["status"] == "captured"
    assert shop.ledger(order_id) == [
        ("order.placed", ""),
        ("order.payment_authorized", "120.00"),
        ("order.paid", "120.00"),
    ]
    assert held(shop, order_id) == Decimal(0)
    authorization = next(event for event in shop.outbox() if event["type"] == "order.payment_authorized")
    assert authorization["data"]["amount"] == {"amount": "120.00", "currency": "EUR"}


def lapse(gateway: str, shop: PayingStore, standins: dict[str, Any], reference: str, handle: str) -> Any:
    """The hold lapses at the gateway (expired, voided) and the gateway says so by webhook: its response."""
    if gateway == "stripe":
        stripe_client(standins["stripe"], shop).v1.payment_intents.cancel(reference)
        return shop.webhook(
            "stripe", *stripe_hook(shop, standins["stripe"], "payment_intent.canceled", reference, "e1")
        )
    if gateway == "paypal":
        paypal: PayPalStandIn = standins["paypal"]
        paypal.void(reference)
        return shop.webhook("paypal", *paypal.webhook("CHECKOUT.PAYMENT-APPROVAL.REVERSED", reference, "WHALPHA01"))
    razorpay: RazorpayStandIn = standins["razorpay"]
    razorpay.expire_authorization(handle)
    return shop.webhook("razorpay", *razorpay.webhook("refund.processed", "rzp-wh-alpha", payment_id=handle))


@pytest.mark.parametrize("gateway", GATEWAYS)
def test_a_hold_that_lapses_at_the_gateway_cancels_the_order_through_the_ledger(
    shop: PayingStore, gateways: dict[str, Any], gateway: str
) -> None:
    order_id, payment, handle = authorized(shop, gateway, gateways)

    told = lapse(gateway, shop, gateways, payment["reference"], handle)
    capture = shop.call("manager", "post", f"/api/v1/payments/{payment['id']}/capture/")

    assert told.json() == {"result": "processed"}
    assert error(capture)[:2] == (409, "payment_not_capturable")
    assert shop.order_state(order_id)["status"] == "cancelled"
    assert [kind for kind, _ in shop.ledger(order_id)] == [
        "order.placed",
        "order.payment_authorized",
        "order.payment_failed",
        "order.cancelled",
    ]
    assert shop.call("customer", "get", f"/api/v1/payments/{payment['id']}/").json()["status"] == "cancelled"
    assert held(shop, order_id) == Decimal(0)
    cancelled = next(event for event in shop.outbox() if event["type"] == "order.cancelled")
    assert cancelled["data"]["reason"].startswith(f"payment cancelled at {gateway}")


def test_staff_capturing_a_lapsed_stripe_hold_learn_it_and_the_order_is_cancelled(
    shop: PayingStore, localstripe: str
) -> None:
    order_id, payment, _ = authorized(shop, "stripe", {"stripe": localstripe})
    stripe_client(localstripe, shop).v1.payment_intents.cancel(payment["reference"])  # no webhook reaches us

    capture = shop.call("manager", "post", f"/api/v1/payments/{payment['id']}/capture/")

    assert error(capture)[:2] == (409, "payment_not_capturable")
    assert shop.order_state(order_id)["status"] == "cancelled"


def test_a_declined_card_is_recorded_as_a_failed_payment_and_the_order_may_be_paid_again(
    shop: PayingStore, localstripe: str, razorpay: RazorpayStandIn
) -> None:
    order_id = shop.order()
    first = shop.pay(order_id, "stripe").json()

    declined = shop.confirm(first["id"], {"payment_method": card(localstripe, shop, DECLINED)})
    again = shop.pay(order_id, "razorpay").json()
    paid = shop.confirm(again["id"], razorpay.pay(again["reference"]))

    assert error(declined)[:2] == (402, "payment_declined")
    assert paid.json()["status"] == "captured"
    assert [kind for kind, _ in shop.ledger(order_id)] == ["order.placed", "order.payment_failed", "order.paid"]


def test_a_paypal_approval_webhook_before_the_buyers_return_then_captures_once(
    shop: PayingStore, paypal: PayPalStandIn
) -> None:
    order_id = shop.order()
    payment = shop.pay(order_id, "paypal").json()
    paypal.approve(payment["reference"])
    approved = paypal.webhook("CHECKOUT.ORDER.APPROVED", payment["reference"], "WHALPHA01")

    early = shop.webhook("paypal", *approved)
    back = shop.confirm(payment["id"], {})
    completed = paypal.webhook("PAYMENT.CAPTURE.COMPLETED", payment["reference"], "WHALPHA01")
    late = shop.webhook("paypal", *completed)
    replayed_approval = shop.webhook("paypal", *approved)

    assert early.json() == {"result": "processed"}
    assert back.json()["status"] == "captured"
    assert late.json() == {"result": "processed"}
    assert replayed_approval.json() == {"result": "duplicate"}
    assert shop.ledger(order_id) == [
        ("order.placed", ""),
        ("order.payment_authorized", "120.00"),
        ("order.paid", "120.00"),
    ]


def test_paypal_webhooks_out_of_order_change_nothing_wrong(shop: PayingStore, paypal: PayPalStandIn) -> None:
    order_id = shop.order()
    payment = shop.pay(order_id, "paypal").json()
    paypal.approve(payment["reference"])
    approved = paypal.webhook("CHECKOUT.ORDER.APPROVED", payment["reference"], "WHALPHA01")  # sent first…
    shop.confirm(payment["id"], {})
    completed = paypal.webhook("PAYMENT.CAPTURE.COMPLETED", payment["reference"], "WHALPHA01")

    newer = shop.webhook("paypal", *completed)
    older = shop.webhook("paypal", *approved)  # …arrives last

    assert (newer.json(), older.json()) == ({"result": "processed"}, {"result": "processed"})
    assert shop.ledger(order_id) == [("order.placed", ""), ("order.paid", "120.00")]
    assert shop.call("customer", "get", f"/api/v1/payments/{payment['id']}/").json()["status"] == "captured"


def test_stripe_webhooks_out_of_order_change_nothing_wrong(shop: PayingStore, localstripe: str) -> None:
    order_id, payment, _ = authorized(shop, "stripe", {"stripe": localstripe})
    capturable = stripe_hook(shop, localstripe, "payment_intent.amount_capturable_updated", payment["reference"], "a")
    # Staff capture in Stripe's dashboard; the newer event overtakes the older one.
    stripe_client(localstripe, shop).v1.payment_intents.capture(payment["reference"])
    succeeded = stripe_hook(shop, localstripe, "payment_intent.succeeded", payment["reference"], "b")

    newer = shop.webhook("stripe", *succeeded)
    older = shop.webhook("stripe", *capturable)
    replay = shop.webhook("stripe", *succeeded)

    assert (newer.json(), older.json(), replay.json()) == (
        {"result": "processed"},
        {"result": "processed"},
        {"result": "duplicate"},
    )
    assert shop.ledger(order_id) == [
        ("order.placed", ""),
        ("order.payment_authorized", "120.00"),
        ("order.paid", "120.00"),
    ]
    assert shop.call("customer", "get", f"/api/v1/payments/{payment['id']}/").json()["status"] == "captured"


def test_a_payment_the_server_never_heard_back_about_is_reconciled(
    shop: PayingStore, localstripe: str, razorpay: RazorpayStandIn
) -> None:
    # Stripe: the buyer's Stripe.js confirmed; our server crashed before recording, and no webhook came.
    stripe_order = shop.order()
    stripe_payment = shop.pay(stripe_order, "stripe").json()
    buyer = stripe_client(localstripe, shop)
    method = card(localstripe, shop, VISA)
    buyer.v1.payment_intents.update(stripe_payment["reference"], params={"payment_method": method})
    buyer.v1.payment_intents.confirm(stripe_payment["reference"])
    # Razorpay: Checkout took the money; the buyer's browser never came back.
    razorpay_order = shop.order()
    razorpay_payment = shop.pay(razorpay_order, "razorpay").json()
    razorpay.pay(razorpay_payment["reference"])
    untouched = shop.order()
    shop.pay(untouched, "paypal")  # not approved: stays pending

    with bound_tenant(shop.tenant.slug):  # as the command runs it: the tenant bound, no transaction open
        outcome = actions.reconcile_open_payments(older_than=timedelta(0))
    report = io.StringIO()
    call_command("reconcile_payments", "--tenant", shop.tenant.slug, "--minutes", "0", stdout=report)

    assert outcome == {"reconciled": 3, "failed": 0}
    # Only the PayPal one is still open.
    assert report.getvalue().startswith(f"{shop.tenant.slug}: 1 open payments reconciled, 0 gateways did not answer")
    assert shop.ledger(stripe_order) == [("order.placed", ""), ("order.paid", "120.00")]
    assert shop.ledger(razorpay_order) == [("order.placed", ""), ("order.paid", "120.00")]
    assert shop.ledger(untouched) == [("order.placed", "")]


def test_no_gateway_is_called_inside_an_open_transaction(shop: PayingStore, razorpay: RazorpayStandIn) -> None:
    order_id, payment, handle = authorized(shop, "razorpay", {"razorpay": razorpay})

    with shop.inside():  # a transaction is open: the action must refuse before it calls Razorpay
        row = Payment.objects.get(pk=payment["id"])
        with pytest.raises(actions.TransactionOpen):
            actions.capture_payment(None, shop.user("manager"), row)

    assert razorpay.payments[handle]["status"] == "authorized"  # nothing was captured at the gateway
    assert shop.ledger(order_id) == [("order.placed", ""), ("order.payment_authorized", "120.00")]
