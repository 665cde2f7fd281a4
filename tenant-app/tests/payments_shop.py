"""Stores with their gateways connected to localstripe and the PayPal and Razorpay stand-ins, for the payment tests."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import stripe
from pytest_django.fixtures import Settings as SettingsWrapper

from tenant_app.tenancy.context import tenant_transaction
from tenantry_kernel.testing.paypal import PayPalStandIn, running_paypal
from tenantry_kernel.testing.razorpay import RazorpayStandIn, running_razorpay
from tenantry_kernel.testing.stripe import reset, running_localstripe

from .conftest import ShardTenant
from .shop import Store

# Per store (alpha, bravo) and gateway: its own credentials, as each store would connect its own accounts.
CREDENTIALS = {
    "alpha": {
        "stripe": {"public_id": "pk_test_alpha", "secret": "sk_test_alpha_0001", "webhook_secret": "whsec_alpha_01"},
        "paypal": {"public_id": "paypal-client-alpha", "secret": "paypal-secret-alpha", "webhook_secret": "WHALPHA01"},
        "razorpay": {"public_id": "rzp_test_alpha", "secret": "rzp-secret-alpha", "webhook_secret": "rzp-wh-alpha"},
    },
    "bravo": {
        "stripe": {"public_id": "pk_test_bravo", "secret": "sk_test_bravo_0002", "webhook_secret": "whsec_bravo_02"},
        "paypal": {"public_id": "paypal-client-bravo", "secret": "paypal-secret-bravo", "webhook_secret": "WHBRAVO02"},
        "razorpay": {"public_id": "rzp_test_bravo", "secret": "rzp-secret-bravo", "webhook_secret": "rzp-wh-bravo"},
    },
}


@pytest.fixture(scope="module", name="localstripe")
def localstripe_server() -> Iterator[str]:
    with running_localstripe() as url:
        yield url


@pytest.fixture(scope="module", name="paypal")
def paypal_server() -> Iterator[PayPalStandIn]:
    clients = {c["paypal"]["public_id"]: c["paypal"]["secret"] for c in CREDENTIALS.values()}
    with running_paypal(clients) as standin:
        yield standin


@pytest.fixture(scope="module", name="razorpay")
def razorpay_server() -> Iterator[RazorpayStandIn]:
    keys = {c["razorpay"]["public_id"]: c["razorpay"]["secret"] for c in CREDENTIALS.values()}
    with running_razorpay(keys) as standin:
        yield standin


@pytest.fixture(name="gateways")
def connected_gateways(
    settings: SettingsWrapper, localstripe: str, paypal: PayPalStandIn, razorpay: RazorpayStandIn
) -> dict[str, Any]:
    reset(localstripe)
    paypal.down = razorpay.down = False
    settings.PAYMENTS_API_BASES = {"stripe": localstripe, "paypal": paypal.url, "razorpay": razorpay.url}
    return {"stripe": localstripe, "paypal": paypal, "razorpay": razorpay}


class PayingStore(Store):
    def __init__(self, tenant: ShardTenant, name: str) -> None:
        super().__init__(tenant)
        self.name = name
        self.credentials = CREDENTIALS[name]
        self.bike = self.product("Bike", "120.00")
        self.yen = self.product("Teapot", "1200.00", "JPY")

    def connect(self, gateway: str, **override: str) -> Any:
        body = {**self.credentials[gateway], **override}
        return self.call("owner", "put", f"/api/v1/payments/gateways/{gateway}/", body)

    def order(self, product: int | None = None, quantity: int = 1, who: str = "customer") -> str:
        body = {"lines": [{"product": product or self.bike, "quantity": quantity}]}
        response = self.call(who, "post", "/api/v1/orders/", body)
        assert response.status_code == 201, response.content
        return str(response.json()["id"])

    def pay(self, order_id: str, gateway: str, who: str = "customer", **options: Any) -> Any:
        return self.call(who, "post", "/api/v1/payments/", {"order": order_id, "gateway": gateway, **options})

    def confirm(self, payment_id: str, body: dict[str, str], who: str = "customer") -> Any:
        return self.call(who, "post", f"/api/v1/payments/{payment_id}/confirm/", body)

    def order_state(self, order_id: str) -> dict[str, Any]:
        response = self.call("manager", "get", f"/api/v1/orders/{order_id}/")
        assert response.status_code == 200, response.content
        body: dict[str, Any] = response.json()
        return body

    def ledger(self, order_id: str) -> list[tuple[str, str]]:
        """The order's events: (type, amount) after order.placed."""
        return [
            (event["type"], event["data"].get("amount", {}).get("amount", ""))
            for event in self.order_state(order_id)["history"]
        ]

    def webhook(self, gateway: str, body: bytes, headers: dict[str, str], host: str | None = None) -> Any:
        from django.test import Client

        client = Client(HTTP_HOST=host or self.tenant.host, REMOTE_ADDR="10.9.8.7")
        return client.post(
            f"/api/v1/payments/webhooks/{gateway}/", body, content_type="application/json", headers=headers
        )

    def inside(self) -> Any:
        return tenant_transaction(self.tenant.route)


def stripe_client(url: str, store: PayingStore) -> stripe.StripeClient:
    """The buyer's side (Stripe.js) for the tests: makes payment methods and passes 3-D Secure at localstripe."""
    return stripe.StripeClient(store.credentials["stripe"]["secret"], base_addresses={"api": url})


def card(url: str, store: PayingStore, number: str) -> str:
    method = stripe_client(url, store).v1.payment_methods.create(
        params={"type": "card", "card": {"number": number, "exp_month": 12, "exp_year": 2034, "cvc": "123"}}
    )
    return str(method.id)
