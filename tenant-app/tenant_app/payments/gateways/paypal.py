"""PayPal Orders v2 over HTTP with `requests`: OAuth2 client-credentials token, create order (approve link),
capture, refund, and webhooks verified through PayPal's verify-webhook-signature API.

PayPal's own Python SDKs are rejected: `paypalrestsdk` is deprecated (v1 Payments API) and
`paypal-checkout-serversdk` is archived; PayPal documents the REST calls, which are few. `requests`
is locked already (billing and SSO use it).

Webhooks: PayPal signs with a certificate (PAYPAL-TRANSMISSION-SIG over transmission id, time, webhook
id and the body's CRC32); as PayPal recommends, the signature is sent back to
`/v1/notifications/verify-webhook-signature` with the store's webhook id, which answers SUCCESS or FAILURE.
3-D Secure: an order PayPal needs the buyer to authenticate is `PAYER_ACTION_REQUIRED` with a
`payer-action` link; it maps to `requires_action`.

Amounts: PayPal takes a decimal string with the currency's decimals as PayPal counts them (its currency codes
reference): none for HUF, JPY and TWD (HUF and TWD have 2 in ISO 4217, so 12.50 HUF cannot be paid here), two for
the others; a currency it does not list (KWD, BHD, INR…) is refused before any call (CurrencyNotSupported).
"""

from __future__ import annotations

import json
import time
from decimal import Decimal
from typing import Any

import requests

from tenant_app.payments.gateways.base import (
    AmountNotPayable,
    Credentials,
    CurrencyNotSupported,
    EventKind,
    ForgedWebhook,
    GatewayCredentialsRejected,
    GatewayEvent,
    GatewayRejected,
    GatewayUnavailable,
    InvalidWebhook,
    PaymentDeclined,
    PaymentState,
    Status,
    minor_units,
)
from tenantry_kernel.money import quantum

LIVE_API = "https://api-m.paypal.com"
# PayPal's currency codes reference: what it takes, and the three it takes without decimals.
CURRENCIES = frozenset(
    {"AUD", "BRL", "CAD", "CNY", "CZK", "DKK", "EUR", "HKD", "HUF", "ILS", "JPY", "MYR", "MXN", "TWD", "NZD", "NOK"}
    | {"PHP", "PLN", "GBP", "SGD", "SEK", "CHF", "THB", "USD"}
)
ZERO_DECIMAL = frozenset({"HUF", "JPY", "TWD"})


def paypal_value(amount: Decimal, currency: str) -> str:
    """`amount` as PayPal's `value` ("12.50", "1200"); refused before any call when PayPal cannot take it."""
    if currency not in CURRENCIES:
        raise CurrencyNotSupported(f"PayPal does not take {currency}; pay with another of the store's gateways.")
    minor_units(amount, currency)  # the currency's own decimals first
    places = Decimal(1) if currency in ZERO_DECIMAL else Decimal("0.01")
    if amount != amount.quantize(places):
        raise AmountNotPayable(f"PayPal takes {currency} in whole units; {amount} {currency} is not one.")
    return format(amount.quantize(places), "f")


def from_paypal(value: object, currency: str) -> Decimal:
    """PayPal's `value` as an amount with the currency's ISO 4217 decimals ("1200" HUF → 1200.00)."""
    return Decimal(str(value)).quantize(quantum(currency))


TIMEOUT = 10.0
STATUSES: dict[str, Status] = {
    "CREATED": "pending",
    "SAVED": "pending",
    "APPROVED": "authorized",
    "VOIDED": "cancelled",
    "COMPLETED": "captured",
    "PAYER_ACTION_REQUIRED": "requires_action",
}
EVENTS: dict[str, EventKind] = {
    "CHECKOUT.ORDER.APPROVED": "authorized",
    "CHECKOUT.PAYMENT-APPROVAL.REVERSED": "failed",
    "PAYMENT.CAPTURE.COMPLETED": "captured",
    "PAYMENT.CAPTURE.DENIED": "failed",
    "PAYMENT.CAPTURE.DECLINED": "failed",
    "PAYMENT.CAPTURE.REFUNDED": "refunded",
}
DECLINES = {"INSTRUMENT_DECLINED", "TRANSACTION_REFUSED", "PAYER_CANNOT_PAY", "CARD_EXPIRED"}
WEBHOOK_HEADERS = {
    "auth_algo": "paypal-auth-algo",
    "cert_url": "paypal-cert-url",
    "transmission_id": "paypal-transmission-id",
    "transmission_sig": "paypal-transmission-sig",
    "transmission_time": "paypal-transmission-time",
}


class PayPalGateway:
    name = "paypal"

    def __init__(self, credentials: Credentials) -> None:
        self.credentials = credentials
        self.base = (credentials.api_base or LIVE_API).rstrip("/")
        self.session = requests.Session()
        self._token = ""
        self._token_until = 0.0

    # ---- HTTP -----------------------------------------------------------------------------

    def _access_token(self) -> str:
        if self._token and time.monotonic() < self._token_until:
            return self._token
        try:
            response = self.session.post(
                f"{self.base}/v1/oauth2/token",
                data={"grant_type": "client_credentials"},
                auth=(self.credentials.public_id, self.credentials.secret),
                headers={"Accept": "application/json"},
                timeout=TIMEOUT,
            )
        except requests.RequestException as exc:
            raise GatewayUnavailable("PayPal did not answer; try again in a moment.") from exc
        if response.status_code in (400, 401):
            raise GatewayCredentialsRejected("PayPal refused the store's client id and secret.")
        if response.status_code != 200:
            raise GatewayUnavailable(f"PayPal answered {response.status_code} to the token request.")
        body = response.json()
        self._token = str(body["access_token"])
        self._token_until = time.monotonic() + max(int(body.get("expires_in", 0)) - 60, 0)
        return self._token

    def _call(self, method: str, path: str, body: dict[str, Any] | None = None, request_id: str = "") -> Any:
        headers = {"Authorization": f"Bearer {self._access_token()}", "Content-Type": "application/json"}
        if request_id:
            headers["PayPal-Request-Id"] = request_id  # PayPal's idempotency key
        try:
            response = self.session.request(
                method,
                f"{self.base}{path}",
                data=json.dumps(body) if body is not None else None,
                headers=headers,
                timeout=TIMEOUT,
            )
        except requests.RequestException as exc:
            raise GatewayUnavailable("PayPal did not answer; try again in a moment.") from exc
        if response.status_code < 300:
            return response.json() if response.content else {}
        if response.status_code == 401:
            self._token = ""
            raise GatewayCredentialsRejected("PayPal refused the store's credentials.")
        if response.status_code >= 500:
            raise GatewayUnavailable(f"PayPal answered {response.status_code}; try again in a moment.")
        try:
            error = response.json()
        except ValueError:
            error = {}
        issues = [detail.get("issue", "") for detail in error.get("details", [])]
        message = "; ".join(
            f"{detail.get('issue')}: {detail.get('description', '')}" for detail in error.get("details", [])
        ) or str(error.get("message", "PayPal refused the request."))
        if DECLINES.intersection(issues):
            raise PaymentDeclined(f"PayPal declined the payment ({message}).")
        raise GatewayRejected(f"PayPal refused the request ({message}).")

    # ---- The interface --------------------------------------------------------------------

    def create_payment(self, amount: Decimal, currency: str, *, order_id: str, manual_capture: bool) -> PaymentState:
        body = {
            "intent": "CAPTURE",
            "purchase_units": [
                {
                    "reference_id": order_id,
                    "custom_id": order_id,
                    "amount": {"currency_code": currency, "value": paypal_value(amount, currency)},
                }
            ],
        }
        order = self._call("POST", "/v2/checkout/orders", body, request_id=f"create-{order_id}")
        return self._state(order)

    def confirm(self, reference: str, buyer: dict[str, str]) -> PaymentState:
        """After the buyer approved at PayPal: the order as PayPal has it (APPROVED is `authorized`)."""
        return self.retrieve(reference)

    def capture(self, state: PaymentState) -> PaymentState:
        order = self._call("POST", f"/v2/checkout/orders/{state.reference}/capture", {}, f"capture-{state.reference}")
        captured = self._state(order)
        if captured.status != "captured":
            raise PaymentDeclined(f"PayPal did not complete the capture ({captured.failure or captured.status}).")
        return captured

    def refund(self, state: PaymentState, amount: Decimal) -> PaymentState:
        body = {"amount": {"currency_code": state.currency, "value": paypal_value(amount, state.currency)}}
        self._call("POST", f"/v2/payments/captures/{state.capture_reference}/refund", body)
        return self.retrieve(state.reference)

    def retrieve(self, reference: str) -> PaymentState:
        return self._state(self._call("GET", f"/v2/checkout/orders/{reference}"))

    def parse_webhook(self, body: bytes, headers: dict[str, str]) -> GatewayEvent:
        try:
            event = json.loads(body)
            event_id, event_type, resource = str(event["id"]), str(event["event_type"]), dict(event["resource"])
        except (ValueError, KeyError, TypeError) as exc:
            raise InvalidWebhook("The body is not a PayPal webhook event.") from exc
        request = {key: headers.get(header, "") for key, header in WEBHOOK_HEADERS.items()}
        if not all(request.values()):
            raise ForgedWebhook("PayPal's transmission headers are missing.")
        verdict = self._call(
            "POST",
            "/v1/notifications/verify-webhook-signature",
            {**request, "webhook_id": self.credentials.webhook_secret, "webhook_event": event},
        )
        if verdict.get("verification_status") != "SUCCESS":
            raise ForgedWebhook("PayPal did not verify the webhook's signature.")
        related = resource.get("supplementary_data", {}).get("related_ids", {})
        reference = related.get("order_id") or (resource.get("id", "") if event_type.startswith("CHECKOUT.") else "")
        return GatewayEvent(event_id, EVENTS.get(event_type, "other"), str(reference), event_type)

    def _state(self, order: dict[str, Any]) -> PaymentState:
        unit = order["purchase_units"][0]
        amount_field = unit["amount"]
        currency = str(amount_field["currency_code"])
        amount = from_paypal(amount_field["value"], currency)
        captures = unit.get("payments", {}).get("captures", [])
        refunds = unit.get("payments", {}).get("refunds", [])
        completed = [
            capture for capture in captures if capture.get("status") in ("COMPLETED", "PARTIALLY_REFUNDED", "REFUNDED")
        ]
        status = STATUSES.get(str(order["status"]), "pending")
        failure = ""
        if order["status"] == "COMPLETED" and not completed:
            status, failure = "failed", ", ".join(str(capture.get("status")) for capture in captures)
        links = {link["rel"]: link["href"] for link in order.get("links", [])}
        next_action: dict[str, Any] = {}
        if status == "pending" and "approve" in links:
            next_action = {"type": "redirect", "url": links["approve"]}
        elif status == "requires_action" and "payer-action" in links:
            next_action = {"type": "redirect", "url": links["payer-action"]}
        refunded = sum(
            (
                from_paypal(refund["amount"]["value"], currency)
                for refund in refunds
                if refund.get("status") == "COMPLETED"
            ),
            Decimal(0),
        )
        return PaymentState(
            reference=str(order["id"]),
            status=status,
            amount=amount,
            currency=currency,
            captured=sum((from_paypal(c["amount"]["value"], currency) for c in completed), Decimal(0)),
            refunded=refunded,
            next_action=next_action,
            capture_reference=str(completed[0]["id"]) if completed else "",
            failure=failure,
        )
