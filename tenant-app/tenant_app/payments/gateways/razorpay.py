"""Razorpay through the `razorpay` SDK: orders for Checkout, the payment signature check
(HMAC-SHA256 of `order_id|payment_id` with the key secret), capture, refund, and webhooks checked by
`X-Razorpay-Signature` (HMAC-SHA256 of the raw body with the webhook secret).

`Credentials.api_base` is the SDK's `base_url` (a stand-in in tests); empty, Razorpay itself.
3-D Secure: Razorpay runs card authentication inside its Checkout before the handler is called, so the
server never sees a "requires action" step; a payment that fails authentication arrives as `failed`
(error reason `payment_failed`/`authentication_failed`). So this gateway has no `requires_action`.
The SDK's errors carry Razorpay's `description` and `code` only, not the HTTP status: a refused key is
told apart by Razorpay's description "Authentication failed" (its 401 body).

Amounts are in the currency's subunit as ISO 4217 counts it (INR paise, JPY yen, KWD fils); for three-decimal
currencies Razorpay wants the last digit 0 (its docs: 295.991 KWD is not taken, 295.990 is), so an amount like
1.255 KWD is refused before any call (AmountNotPayable), never rounded.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import razorpay  # type: ignore[import-untyped]  # the SDK has no py.typed: its calls are Any here
import requests
from razorpay.errors import (  # type: ignore[import-untyped]
    BadRequestError,
    GatewayError,
    ServerError,
    SignatureVerificationError,
)

from tenant_app.payments.gateways.base import (
    Credentials,
    EventKind,
    ForgedWebhook,
    GatewayCredentialsRejected,
    GatewayEvent,
    GatewayRejected,
    GatewayUnavailable,
    InvalidWebhook,
    PaymentDeclined,
    PaymentSignatureInvalid,
    PaymentState,
    Status,
    ending_in_zero,
    minor_units,
)
from tenantry_kernel.money import exponent, from_minor

EVENTS: dict[str, EventKind] = {
    "payment.authorized": "authorized",
    "payment.captured": "captured",
    "payment.failed": "failed",
    "order.paid": "succeeded",
    "refund.processed": "refunded",
    "refund.created": "refunded",
}
AUTHENTICATION_FAILED = "Authentication failed"


def to_razorpay(amount: Decimal, currency: str) -> int:
    units = minor_units(amount, currency)
    return ending_in_zero(units, amount, currency, "Razorpay") if exponent(currency) == 3 else units


class RazorpayGateway:
    name = "razorpay"

    def __init__(self, credentials: Credentials) -> None:
        self.credentials = credentials
        options = {"base_url": credentials.api_base.rstrip("/")} if credentials.api_base else {}
        self.client = razorpay.Client(auth=(credentials.public_id, credentials.secret), **options)

    def _call(self, function: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return function(*args, **kwargs)
        except BadRequestError as exc:
            message = str(exc)
            if message == AUTHENTICATION_FAILED:
                raise GatewayCredentialsRejected("Razorpay refused the store's key id and secret.") from exc
            raise GatewayRejected(f"Razorpay refused the request: {message}") from exc
        except GatewayError as exc:
            raise PaymentDeclined(f"Razorpay's bank declined: {exc}") from exc
        except (ServerError, requests.RequestException, ValueError) as exc:
            raise GatewayUnavailable("Razorpay did not answer; try again in a moment.") from exc

    def create_payment(self, amount: Decimal, currency: str, *, order_id: str, manual_capture: bool) -> PaymentState:
        data = {
            "amount": to_razorpay(amount, currency),
            "currency": currency,
            "receipt": order_id[:40],
            "notes": {"order_id": order_id},
            # Razorpay's orders capture automatically unless told otherwise (payment_capture 0: manual).
            "payment_capture": 0 if manual_capture else 1,
        }
        order = self._call(self.client.order.create, data=data)
        return self._state(order, [])

    def confirm(self, reference: str, buyer: dict[str, str]) -> PaymentState:
        """Check Checkout's handler response: the signature binds the payment to this order and this store's key."""
        params = {
            "razorpay_order_id": reference,
            "razorpay_payment_id": buyer.get("razorpay_payment_id", ""),
            "razorpay_signature": buyer.get("razorpay_signature", ""),
        }
        try:
            self.client.utility.verify_payment_signature(params)
        except SignatureVerificationError as exc:
            raise PaymentSignatureInvalid("The Razorpay payment signature does not verify.") from exc
        return self.retrieve(reference)

    def capture(self, state: PaymentState) -> PaymentState:
        amount = to_razorpay(state.amount, state.currency)
        self._call(self.client.payment.capture, state.capture_reference, amount, data={"currency": state.currency})
        return self.retrieve(state.reference)

    def refund(self, state: PaymentState, amount: Decimal) -> PaymentState:
        data = {"amount": to_razorpay(amount, state.currency)}
        self._call(self.client.payment.refund, state.capture_reference, data)
        return self.retrieve(state.reference)

    def retrieve(self, reference: str) -> PaymentState:
        order = self._call(self.client.order.fetch, reference)
        payments = self._call(self.client.order.payments, reference).get("items", [])
        return self._state(order, payments)

    def parse_webhook(self, body: bytes, headers: dict[str, str]) -> GatewayEvent:
        signature = headers.get("x-razorpay-signature", "")
        event_id = headers.get("x-razorpay-event-id", "")
        try:
            text = body.decode()
            self.client.utility.verify_webhook_signature(text, signature, self.credentials.webhook_secret)
        except (UnicodeDecodeError, SignatureVerificationError) as exc:
            raise ForgedWebhook("The X-Razorpay-Signature does not verify.") from exc
        try:
            import json

            event = json.loads(text)
            event_type = str(event["event"])
            payload = event["payload"]
        except (ValueError, KeyError, TypeError) as exc:
            raise InvalidWebhook("The body is not a Razorpay event.") from exc
        if not event_id:
            raise InvalidWebhook("The X-Razorpay-Event-Id header is missing.")
        entity: dict[str, Any] = {}
        for kind in ("order", "payment", "refund"):
            if kind in payload:
                entity = payload[kind].get("entity", {})
                break
        reference = entity.get("order_id") or (
            entity.get("id") if str(entity.get("id", "")).startswith("order_") else ""
        )
        if not reference and "payment" in payload:
            reference = payload["payment"].get("entity", {}).get("order_id", "")
        return GatewayEvent(event_id, EVENTS.get(event_type, "other"), str(reference or ""), event_type)

    def _state(self, order: dict[str, Any], payments: list[dict[str, Any]]) -> PaymentState:
        currency = str(order["currency"])
        live = [payment for payment in payments if payment.get("status") in ("authorized", "captured", "refunded")]
        status: Status = "pending"
        failure = ""
        payment: dict[str, Any] = {}
        if live:
            payment = live[0]
            status = "authorized" if payment["status"] == "authorized" else "captured"
            if not payment.get("captured"):  # authorized, then refunded by Razorpay uncaptured: the hold lapsed
                status = "authorized" if payment["status"] == "authorized" else "cancelled"
        elif any(payment.get("status") == "failed" for payment in payments):
            status = "failed"
            failure = str(next(p for p in payments if p.get("status") == "failed").get("error_description") or "")
        captured = from_minor(int(payment.get("amount", 0)), currency) if status == "captured" else Decimal(0)
        refunded = from_minor(int(payment.get("amount_refunded", 0)), currency) if status == "captured" else Decimal(0)
        next_action: dict[str, Any] = {}
        if status == "pending":
            next_action = {"type": "razorpay_checkout", "order_id": order["id"], "key_id": self.credentials.public_id}
        return PaymentState(
            reference=str(order["id"]),
            status=status,
            amount=from_minor(int(order["amount"]), currency),
            currency=currency,
            captured=captured,
            refunded=refunded,
            next_action=next_action,
            capture_reference=str(payment.get("id", "")),
            failure=failure,
        )
