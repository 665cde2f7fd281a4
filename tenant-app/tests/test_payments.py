"""Payments on real tenants through the store's own gateways: localstripe for Stripe, the PayPal and Razorpay
stand-ins (tenantry_kernel.testing) — the same client code as production, only the base URLs differ.

Each gateway: the happy path through the order ledger, a decline, 3-D Secure (or what the gateway has instead),
refunds, a webhook twice (counted once), before the buyer's return, and forged; credentials stored sealed and
never answered; one store's payment ids, signatures and webhooks useless at another; bad input is a clear 4xx.
"""

from __future__ import annotations

import json
import threading
import time
from typing import Any

import pytest
import requests

from tenant_app.audit.models import AuditEvent
from tenant_app.payments import vault
from tenant_app.payments.models import GatewayAccount, Payment, WebhookReceipt
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
from .shop import error, money

pytestmark = pytest.mark.usefixtures("gateways")

# localstripe declines charges (not attaching) for 4000000000000341, as Stripe's test card does.
VISA, DECLINED, THREE_D_SECURE = "4242424242424242", "4000000000000341", "4000002760003184"


@pytest.fixture
def shops(shard: tuple[str, list[ShardTenant]]) -> tuple[PayingStore, PayingStore]:
    alpha, bravo = PayingStore(shard[1][0], "alpha"), PayingStore(shard[1][1], "bravo")
    for shop in (alpha, bravo):
        for gateway in ("stripe", "paypal", "razorpay"):
            assert shop.connect(gateway).status_code == 200
    return alpha, bravo


@pytest.fixture
def shop(shops: tuple[PayingStore, PayingStore]) -> PayingStore:
    return shops[0]


def started(shop: PayingStore, gateway: str, order_id: str | None = None, **options: Any) -> dict[str, Any]:
    response = shop.pay(order_id or shop.order(), gateway, **options)
    assert response.status_code == 201, response.content
    assert response["Location"] == f"/api/v1/payments/{response.json()['id']}/"
    body: dict[str, Any] = response.json()
    return body


def stripe_webhook(shop: PayingStore, url: str, event_type: str, reference: str, event_id: str) -> Any:
    intent = stripe_client(url, shop).v1.payment_intents.retrieve(reference)
    body, signature = signed_event(
        event_type, intent.to_dict(), shop.credentials["stripe"]["webhook_secret"], event_id=event_id
    )
    return shop.webhook("stripe", body, {"Stripe-Signature": signature})


# ---- Connections -------------------------------------------------------------------------


def test_credentials_are_sealed_at_rest_never_answered_and_connected_by_owners_only(
    shop: PayingStore,
) -> None:
    listed = shop.call("owner", "get", "/api/v1/payments/gateways/")
    denied = shop.call("manager", "put", "/api/v1/payments/gateways/stripe/", shop.credentials["stripe"])
    customer = shop.call("customer", "get", "/api/v1/payments/gateways/")

    assert listed.status_code == 200
    stripe_row = next(row for row in listed.json() if row["gateway"] == "stripe")
    assert stripe_row == {
        "gateway": "stripe",
        "connected": True,
        "public_id": "pk_test_alpha",
        "secret_last4": "0001",
        "webhook_secret_set": True,
        "connected_at": stripe_row["connected_at"],
    }
    assert "sk_test_alpha_0001" not in listed.content.decode()
    assert "whsec_alpha_01" not in listed.content.decode()
    assert error(denied)[:2] == (403, "forbidden")
    assert error(customer)[:2] == (403, "forbidden")
    with shop.inside():
        account = GatewayAccount.objects.get(gateway="stripe")
        assert "sk_test_alpha" not in account.secret
        assert "whsec" not in account.webhook_secret
        assert vault.unseal(account.secret) == "sk_test_alpha_0001"
        connected = AuditEvent.objects.filter(type="payment_gateway_connected").order_by("id")
        assert [event.subject for event in connected] == ["stripe", "paypal", "razorpay"]
        assert "sk_test_alpha_0001" not in json.dumps([event.details for event in connected])


def test_rotating_the_key_reseals_every_secret_under_the_new_one(shop: PayingStore, settings: Any) -> None:
    from cryptography.fernet import Fernet

    from tenant_app.payments.actions import rotate_sealed_secrets

    old_key, new_key = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.PAYMENTS_CREDENTIAL_KEYS = [old_key]
    for gateway in ("stripe", "paypal", "razorpay"):
        assert shop.connect(gateway).status_code == 200  # sealed under the old key
    with shop.inside():
        sealed = GatewayAccount.objects.get(gateway="razorpay").secret

    settings.PAYMENTS_CREDENTIAL_KEYS = [new_key, old_key]  # the new key first, the old one still listed
    with shop.inside():
        assert rotate_sealed_secrets() == 3
        resealed = GatewayAccount.objects.get(gateway="razorpay").secret
    settings.PAYMENTS_CREDENTIAL_KEYS = [new_key]  # the old key dropped

    assert resealed != sealed
    with pytest.raises(RuntimeError):
        vault.unseal(sealed)
    assert vault.unseal(resealed) == "rzp-secret-alpha"
    assert started(shop, "razorpay")["status"] == "pending"  # the store's gateway still works


# ---- Stripe ------------------------------------------------------------------------------


def test_stripe_pays_an_order_through_the_ledger_and_refunds_part_then_the_rest(
    shop: PayingStore, localstripe: str
) -> None:
    order_id = shop.order(quantity=2)
    payment = started(shop, "stripe", order_id)
    assert payment["status"] == "pending"
    assert payment["next_action"]["type"] == "stripe_js"
    assert payment["amount"] == money("240.00")

    confirmed = shop.confirm(payment["id"], {"payment_method": card(localstripe, shop, VISA)})
    part = shop.call("manager", "post", f"/api/v1/payments/{payment['id']}/refund/", {"amount": money("40.00")})
    rest = shop.call("manager", "post", f"/api/v1/payments/{payment['id']}/refund/", {"amount": money("200.00")})
    too_much = shop.call("manager", "post", f"/api/v1/payments/{payment['id']}/refund/", {"amount": money("1")})

    assert confirmed.status_code == 200, confirmed.content
    assert confirmed.json()["status"] == "captured"
    assert confirmed.json()["captured"] == money("240.00")
    assert part.status_code == 200
    assert part.json()["refunded"] == money("40.00")
    assert rest.status_code == 200
    assert rest.json()["refunded"] == money("240.00")
    assert error(too_much)[:2] == (409, "payment_not_refundable")
    assert shop.ledger(order_id) == [
        ("order.placed", ""),
        ("order.paid", "240.00"),
        ("order.refunded", "40.00"),
        ("order.refunded", "200.00"),
    ]
    assert shop.order_state(order_id)["status"] == "refunded"


def test_a_declined_stripe_card_is_a_402_and_the_order_stays_unpaid(shop: PayingStore, localstripe: str) -> None:
    order_id = shop.order()
    payment = started(shop, "stripe", order_id)

    declined = shop.confirm(payment["id"], {"payment_method": card(localstripe, shop, DECLINED)})

    assert error(declined)[:2] == (402, "payment_declined")
    assert shop.call("customer", "get", f"/api/v1/payments/{payment['id']}/").json()["status"] == "failed"
    assert shop.order_state(order_id)["status"] == "placed"


def test_stripe_3d_secure_requires_action_then_captures_once_the_buyer_authenticated(
    shop: PayingStore, localstripe: str
) -> None:
    order_id = shop.order()
    payment = started(shop, "stripe", order_id)

    first = shop.confirm(payment["id"], {"payment_method": card(localstripe, shop, THREE_D_SECURE)})
    # The buyer passes 3-D Secure (Stripe.js; localstripe's own endpoint with the client secret).
    client_secret = first.json()["next_action"]["client_secret"]
    requests.post(
        f"{localstripe}/v1/payment_intents/{first.json()['reference']}/_authenticate",
        data={"client_secret": client_secret, "success": "true", "key": "pk_test_alpha"},
        timeout=5,
    ).raise_for_status()
    second = shop.confirm(payment["id"], {"payment_method": "pm_already_given"})

    assert first.status_code == 200
    assert first.json()["status"] == "requires_action"
    assert shop.ledger(order_id) == [("order.placed", ""), ("order.paid", "120.00")]
    assert second.json()["status"] == "captured"


def test_stripe_manual_capture_authorizes_first_and_staff_capture(shop: PayingStore, localstripe: str) -> None:
    order_id = shop.order()
    payment = started(shop, "stripe", order_id, manual_capture=True)

    authorized = shop.confirm(payment["id"], {"payment_method": card(localstripe, shop, VISA)})
    unpaid = shop.order_state(order_id)["status"]
    by_customer = shop.call("customer", "post", f"/api/v1/payments/{payment['id']}/capture/")
    captured = shop.call("manager", "post", f"/api/v1/payments/{payment['id']}/capture/")
    again = shop.call("manager", "post", f"/api/v1/payments/{payment['id']}/capture/")

    assert authorized.json()["status"] == "authorized"
    assert unpaid == "placed"
    assert error(by_customer)[:2] == (403, "forbidden")
    assert captured.status_code == 200
    assert captured.json()["status"] == "captured"
    assert error(again)[:2] == (409, "payment_not_capturable")
    assert shop.ledger(order_id) == [
        ("order.placed", ""),
        ("order.payment_authorized", "120.00"),
        ("order.paid", "120.00"),
    ]


def test_a_stripe_webhook_before_the_return_pays_once_and_a_replay_changes_nothing(
    shop: PayingStore, localstripe: str
) -> None:
    order_id = shop.order()
    payment = started(shop, "stripe", order_id)
    # The buyer's Stripe.js confirms at Stripe; the webhook arrives before the buyer is back.
    client = stripe_client(localstripe, shop)
    method = card(localstripe, shop, VISA)
    client.v1.payment_intents.update(payment["reference"], params={"payment_method": method})
    client.v1.payment_intents.confirm(payment["reference"])

    first = stripe_webhook(shop, localstripe, "payment_intent.succeeded", payment["reference"], "evt_1")
    replay = stripe_webhook(shop, localstripe, "payment_intent.succeeded", payment["reference"], "evt_1")
    back = shop.confirm(payment["id"], {"payment_method": method})

    assert first.json() == {"result": "processed"}
    assert replay.json() == {"result": "duplicate"}
    assert back.status_code == 200
    assert back.json()["status"] == "captured"
    assert shop.ledger(order_id) == [("order.placed", ""), ("order.paid", "120.00")]
    with shop.inside():
        assert WebhookReceipt.objects.filter(gateway="stripe").count() == 1


def test_a_forged_stripe_webhook_is_400_audited_and_changes_nothing(shop: PayingStore, localstripe: str) -> None:
    order_id = shop.order()
    payment = started(shop, "stripe", order_id)
    intent = stripe_client(localstripe, shop).v1.payment_intents.retrieve(payment["reference"]).to_dict()
    body, signature = signed_event("payment_intent.succeeded", intent, "whsec_not_the_store_s", event_id="evt_f")
    unsigned = shop.webhook("stripe", body, {})
    forged = shop.webhook("stripe", body, {"Stripe-Signature": signature})
    _, good = signed_event("payment_intent.succeeded", intent, "whsec_alpha_01", event_id="evt_g")
    malformed_body = b"{not json"
    signed_garbage = shop.webhook(
        "stripe",
        malformed_body,
        {"Stripe-Signature": _stripe_signature(malformed_body, "whsec_alpha_01")},
    )

    assert error(unsigned)[:2] == (400, "webhook_signature_invalid")
    assert error(forged)[:2] == (400, "webhook_signature_invalid")
    assert error(signed_garbage)[:2] == (400, "webhook_invalid")
    assert good
    assert shop.order_state(order_id)["status"] == "placed"
    with shop.inside():
        assert WebhookReceipt.objects.count() == 0
        assert AuditEvent.objects.filter(type="payment_webhook_refused").count() == 3


def _stripe_signature(body: bytes, secret: str) -> str:
    import hashlib
    import hmac

    now = int(time.time())
    digest = hmac.new(secret.encode(), f"{now}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={now},v1={digest}"


# ---- Razorpay ----------------------------------------------------------------------------


def test_razorpay_checkout_is_signature_checked_captured_and_refunded_through_the_ledger(
    shop: PayingStore, razorpay: RazorpayStandIn
) -> None:
    order_id = shop.order()
    payment = started(shop, "razorpay", order_id)
    assert payment["next_action"] == {
        "type": "razorpay_checkout",
        "order_id": payment["reference"],
        "key_id": "rzp_test_alpha",
    }
    handler = razorpay.pay(payment["reference"])
    tampered = {**handler, "razorpay_signature": "0" * 64}

    refused = shop.confirm(payment["id"], tampered)
    confirmed = shop.confirm(payment["id"], handler)
    refund = shop.call("manager", "post", f"/api/v1/payments/{payment['id']}/refund/", {"amount": money("20.00")})

    assert error(refused)[:2] == (400, "payment_signature_invalid")
    assert confirmed.status_code == 200
    assert confirmed.json()["status"] == "captured"
    assert refund.status_code == 200
    assert refund.json()["refunded"] == money("20.00")
    assert shop.ledger(order_id) == [("order.placed", ""), ("order.paid", "120.00"), ("order.refunded", "20.00")]


def test_a_declined_razorpay_payment_leaves_the_order_unpaid(shop: PayingStore, razorpay: RazorpayStandIn) -> None:
    order_id = shop.order()
    payment = started(shop, "razorpay", order_id)

    failed = razorpay.pay(payment["reference"], decline=True)
    body, headers = razorpay.webhook("payment.failed", "rzp-wh-alpha", payment_id=failed["razorpay_payment_id"])
    told = shop.webhook("razorpay", body, headers)

    assert told.json() == {"result": "processed"}
    seen = shop.call("customer", "get", f"/api/v1/payments/{payment['id']}/").json()
    assert seen["status"] == "failed"
    assert "declined" in seen["failure"]
    assert shop.order_state(order_id)["status"] == "placed"


def test_razorpay_manual_capture_and_webhooks_twice_and_forged(shop: PayingStore, razorpay: RazorpayStandIn) -> None:
    order_id = shop.order()
    payment = started(shop, "razorpay", order_id, manual_capture=True)
    handler = razorpay.pay(payment["reference"])

    authorized = shop.confirm(payment["id"], handler)
    captured = shop.call("manager", "post", f"/api/v1/payments/{payment['id']}/capture/")
    body, headers = razorpay.webhook(
        "payment.captured", "rzp-wh-alpha", payment_id=handler["razorpay_payment_id"], event_id="evt_rzp_1"
    )
    first, replay = shop.webhook("razorpay", body, headers), shop.webhook("razorpay", body, headers)
    forged_headers = {**headers, "X-Razorpay-Signature": "f" * 64, "X-Razorpay-Event-Id": "evt_rzp_2"}
    forged = shop.webhook("razorpay", body, forged_headers)

    assert authorized.json()["status"] == "authorized"
    assert captured.json()["status"] == "captured"
    assert first.json() == {"result": "processed"}
    assert replay.json() == {"result": "duplicate"}
    assert error(forged)[:2] == (400, "webhook_signature_invalid")
    assert shop.ledger(order_id) == [
        ("order.placed", ""),
        ("order.payment_authorized", "120.00"),
        ("order.paid", "120.00"),
    ]


def test_a_razorpay_webhook_before_the_return_pays_once(shop: PayingStore, razorpay: RazorpayStandIn) -> None:
    order_id = shop.order()
    payment = started(shop, "razorpay", order_id)
    handler = razorpay.pay(payment["reference"])
    body, headers = razorpay.webhook("payment.captured", "rzp-wh-alpha", payment_id=handler["razorpay_payment_id"])

    early = shop.webhook("razorpay", body, headers)
    back = shop.confirm(payment["id"], handler)

    assert early.json() == {"result": "processed"}
    assert back.json()["status"] == "captured"
    assert shop.ledger(order_id) == [("order.placed", ""), ("order.paid", "120.00")]


# ---- PayPal ------------------------------------------------------------------------------


def test_paypal_approve_capture_refund_through_the_ledger(shop: PayingStore, paypal: PayPalStandIn) -> None:
    order_id = shop.order()
    payment = started(shop, "paypal", order_id)
    assert payment["next_action"]["type"] == "redirect"
    assert payment["next_action"]["url"].endswith(f"/checkoutnow?token={payment['reference']}")

    early = shop.confirm(payment["id"], {})
    paypal.approve(payment["reference"])
    confirmed = shop.confirm(payment["id"], {})
    refund = shop.call("manager", "post", f"/api/v1/payments/{payment['id']}/refund/", {"amount": money("120.00")})

    assert early.json()["status"] == "pending"
    assert confirmed.status_code == 200
    assert confirmed.json()["status"] == "captured"
    assert refund.json()["refunded"] == money("120.00")
    assert shop.ledger(order_id) == [("order.placed", ""), ("order.paid", "120.00"), ("order.refunded", "120.00")]


def test_paypal_decline_and_payer_action(shop: PayingStore, paypal: PayPalStandIn) -> None:
    declined_order = shop.order()
    declined = started(shop, "paypal", declined_order)
    paypal.approve(declined["reference"], decline=True)
    refused = shop.confirm(declined["id"], {})

    secured_order = shop.order()
    secured = started(shop, "paypal", secured_order)
    paypal.approve(secured["reference"], three_d_secure=True)
    action = shop.confirm(secured["id"], {})
    paypal.complete_payer_action(secured["reference"])
    done = shop.confirm(secured["id"], {})

    assert error(refused)[:2] == (402, "payment_declined")
    # The buyer approved, the capture failed: the order is cancelled through the ledger (cancel_order).
    assert shop.order_state(declined_order)["status"] == "cancelled"
    assert [kind for kind, _ in shop.ledger(declined_order)] == [
        "order.placed",
        "order.payment_failed",
        "order.cancelled",
    ]
    assert action.json()["status"] == "requires_action"
    assert action.json()["next_action"]["url"].endswith(f"/checkoutnow/3ds?token={secured['reference']}")
    assert done.json()["status"] == "captured"
    assert shop.order_state(secured_order)["status"] == "paid"


def test_paypal_webhooks_are_verified_through_paypal_counted_once_and_forgeries_refused(
    shop: PayingStore, paypal: PayPalStandIn
) -> None:
    order_id = shop.order()
    payment = started(shop, "paypal", order_id)
    paypal.approve(payment["reference"])
    # The capture happens (another tab, a retry) and PayPal tells the store before the buyer is back.
    confirmed = shop.confirm(payment["id"], {})
    body, headers = paypal.webhook("PAYMENT.CAPTURE.COMPLETED", payment["reference"], "WHALPHA01")
    first, replay = shop.webhook("paypal", body, headers), shop.webhook("paypal", body, headers)
    other_hook = paypal.webhook("PAYMENT.CAPTURE.COMPLETED", payment["reference"], "WHSOMEONEELSE")
    tampered = body.replace(b'"summary": "PAYMENT.CAPTURE.COMPLETED"', b'"summary": "x"')

    assert confirmed.json()["status"] == "captured"
    assert first.json() == {"result": "processed"}
    assert replay.json() == {"result": "duplicate"}
    assert error(shop.webhook("paypal", *other_hook))[:2] == (400, "webhook_signature_invalid")
    assert error(shop.webhook("paypal", tampered, headers))[:2] == (400, "webhook_signature_invalid")
    assert error(shop.webhook("paypal", body, {}))[:2] == (400, "webhook_signature_invalid")
    assert shop.ledger(order_id) == [("order.placed", ""), ("order.paid", "120.00")]


# ---- Isolation ----------------------------------------------------------------------------


def test_one_stores_payments_signatures_and_webhooks_are_useless_at_another(
    shops: tuple[PayingStore, PayingStore], razorpay: RazorpayStandIn, localstripe: str
) -> None:
    alpha, bravo = shops
    order_id = alpha.order()
    payment = started(alpha, "razorpay", order_id)
    handler = razorpay.pay(payment["reference"])
    body, headers = razorpay.webhook("payment.captured", "rzp-wh-alpha", payment_id=handler["razorpay_payment_id"])

    read_at_bravo = bravo.call("manager", "get", f"/api/v1/payments/{payment['id']}/")
    confirm_at_bravo = bravo.confirm(payment["id"], handler)
    refund_at_bravo = bravo.call("owner", "post", f"/api/v1/payments/{payment['id']}/refund/", {"amount": money("1")})
    webhook_at_bravo = bravo.webhook("razorpay", body, headers)
    # Bravo's customer starting a payment of alpha's order id:
    foreign_order = bravo.pay(order_id, "razorpay")
    other_customer = alpha.call("other-customer", "get", f"/api/v1/payments/{payment['id']}/")

    assert error(read_at_bravo)[:2] == (404, "not_found")
    assert error(confirm_at_bravo)[:2] == (404, "not_found")
    assert error(refund_at_bravo)[:2] == (404, "not_found")
    assert error(webhook_at_bravo)[:2] == (400, "webhook_signature_invalid")
    assert error(foreign_order)[:2] == (404, "not_found")
    assert error(other_customer)[:2] == (404, "not_found")
    assert alpha.order_state(order_id)["status"] == "placed"
    with bravo.inside():
        assert Payment.objects.count() == 0
        assert WebhookReceipt.objects.count() == 0


# ---- Bad input and failures ----------------------------------------------------------------


def test_bad_input_is_a_clear_4xx(shop: PayingStore) -> None:
    order_id = shop.order()
    yen_order = shop.order(shop.yen)
    payment = started(shop, "razorpay", order_id)

    unknown_gateway = shop.pay(order_id, "bitcoin")
    unknown_currency = shop.call(
        "manager", "post", f"/api/v1/payments/{payment['id']}/refund/", {"amount": {"amount": "1", "currency": "ABC"}}
    )
    negative = shop.call("manager", "post", f"/api/v1/payments/{payment['id']}/refund/", {"amount": money("-5")})
    other_currency = shop.call(
        "manager", "post", f"/api/v1/payments/{payment['id']}/refund/", {"amount": money("5", "USD")}
    )
    yen = shop.pay(yen_order, "stripe")
    # JPY has no minor unit: the ledger takes no order of 12.50 JPY (it never rounds).
    fraction = shop.call(
        "customer",
        "post",
        "/api/v1/orders/",
        {"lines": [{"product": shop.product("Sweet", "12.50", "JPY"), "quantity": 1}]},
    )
    no_such_gateway_hook = shop.webhook("bitcoin", b"{}", {})
    malformed = shop.webhook("razorpay", b"\xff\xfe", {"X-Razorpay-Signature": "00"})

    assert error(unknown_gateway)[:2] == (400, "invalid")
    assert error(unknown_currency)[:2] == (400, "invalid")
    assert error(negative)[:2] == (400, "invalid")
    assert error(other_currency)[:2] == (400, "invalid")
    assert yen.status_code == 201
    assert yen.json()["amount"] == {"amount": "1200", "currency": "JPY"}
    assert yen.json()["reference"].startswith("pi_")
    assert error(fraction)[:2] == (400, "invalid")
    assert "JPY has 0 decimals" in str(error(fraction)[2])
    assert error(no_such_gateway_hook)[0] == 404
    assert error(malformed)[:2] == (400, "webhook_signature_invalid")


def test_an_outage_and_refused_credentials_are_502_problems_not_500s(
    shop: PayingStore, razorpay: RazorpayStandIn, paypal: PayPalStandIn
) -> None:
    order_id = shop.order()
    razorpay.down = True
    outage = shop.pay(order_id, "razorpay")
    razorpay.down = False
    assert shop.connect("razorpay", secret="not-the-right-secret").status_code == 200
    refused = shop.pay(order_id, "razorpay")
    assert shop.connect("paypal", secret="not-the-right-secret").status_code == 200
    refused_paypal = shop.pay(order_id, "paypal")

    assert error(outage)[:2] == (502, "gateway_unavailable")
    assert error(refused)[:2] == (502, "gateway_credentials_rejected")
    assert error(refused_paypal)[:2] == (502, "gateway_credentials_rejected")
    with shop.inside():
        assert Payment.objects.count() == 0


# ---- Races and out-of-order events ----------------------------------------------------------


def test_the_buyers_return_and_webhooks_racing_record_the_payment_once(
    shop: PayingStore, razorpay: RazorpayStandIn
) -> None:
    from django.db import connection

    order_id = shop.order()
    payment = started(shop, "razorpay", order_id)
    handler = razorpay.pay(payment["reference"])
    hooks = [
        razorpay.webhook("payment.captured", "rzp-wh-alpha", payment_id=handler["razorpay_payment_id"])
        for _ in range(3)
    ]  # three different event ids about the same capture (Razorpay sends payment.captured and order.paid)
    start = threading.Barrier(5)
    statuses: list[int] = []

    def run(index: int) -> None:
        try:
            start.wait()
            response = shop.webhook("razorpay", *hooks[index]) if index < 3 else shop.confirm(payment["id"], handler)
            statuses.append(response.status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(index,)) for index in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(statuses) == [200] * 5
    assert shop.ledger(order_id) == [("order.placed", ""), ("order.paid", "120.00")]


def test_a_refund_made_at_the_gateway_arrives_before_the_capture_webhook_and_each_counts_once(
    shop: PayingStore, razorpay: RazorpayStandIn
) -> None:
    order_id = shop.order()
    payment = started(shop, "razorpay", order_id)
    handler = razorpay.pay(payment["reference"])
    payment_id = handler["razorpay_payment_id"]
    # The store's staff refund part of it in Razorpay's dashboard (the same API) before anything reached us.
    requests.post(
        f"{razorpay.url}/v1/payments/{payment_id}/refund",
        json={"amount": 5000},
        auth=("rzp_test_alpha", "rzp-secret-alpha"),
        timeout=5,
    ).raise_for_status()
    refunded = razorpay.webhook("refund.processed", "rzp-wh-alpha", payment_id=payment_id)
    captured = razorpay.webhook("payment.captured", "rzp-wh-alpha", payment_id=payment_id)

    first = shop.webhook("razorpay", *refunded)
    second = shop.webhook("razorpay", *captured)
    back = shop.confirm(payment["id"], handler)

    assert first.json() == {"result": "processed"}
    assert second.json() == {"result": "processed"}
    assert back.json()["refunded"] == money("50.00")
    assert shop.ledger(order_id) == [("order.placed", ""), ("order.paid", "120.00"), ("order.refunded", "50.00")]
    assert shop.order_state(order_id)["status"] == "partially_refunded"


def test_a_stripe_refund_made_in_the_dashboard_reaches_the_ledger_through_charge_refunded(
    shop: PayingStore, localstripe: str
) -> None:
    order_id = shop.order()
    payment = started(shop, "stripe", order_id)
    shop.confirm(payment["id"], {"payment_method": card(localstripe, shop, VISA)})
    client = stripe_client(localstripe, shop)
    client.v1.refunds.create(params={"payment_intent": payment["reference"], "amount": 2000})
    latest = client.v1.payment_intents.retrieve(payment["reference"]).to_dict()["latest_charge"]
    charge = client.v1.charges.retrieve(latest if isinstance(latest, str) else latest["id"]).to_dict()
    body, signature = signed_event("charge.refunded", charge, "whsec_alpha_01", event_id="evt_refund")

    told = shop.webhook("stripe", body, {"Stripe-Signature": signature})

    assert told.json() == {"result": "processed"}
    assert shop.ledger(order_id) == [("order.placed", ""), ("order.paid", "120.00"), ("order.refunded", "20.00")]


def test_a_gateway_the_store_has_not_connected_is_a_409_and_disconnecting_is_audited(shop: PayingStore) -> None:
    gone = shop.call("owner", "delete", "/api/v1/payments/gateways/paypal/")
    pay = shop.pay(shop.order(), "paypal")
    hook = shop.webhook("paypal", b"{}", {})

    assert gone.status_code == 204
    assert error(pay)[:2] == (409, "gateway_not_connected")
    assert error(hook)[:2] == (409, "gateway_not_connected")
    with shop.inside():
        assert AuditEvent.objects.filter(type="payment_gateway_disconnected", subject="paypal").count() == 1
