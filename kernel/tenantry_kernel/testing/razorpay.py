"""A Razorpay stand-in on loopback, following Razorpay's published API (razorpay.com/docs/api): what the
`razorpay` SDK calls, with Razorpay's shapes, errors and signatures.

Covered:
- Basic auth with key id and key secret; a wrong pair is 401 with Razorpay's error body
  (`{"error": {"code": "BAD_REQUEST_ERROR", "description": "Authentication failed", ...}}`). Each key sees
  only its own orders and payments (another key's id is "The id provided does not exist", as Razorpay says).
- Orders: `POST /v1/orders` (amount in the currency's subunit, an integer ≥ 100 as Razorpay requires;
  currency; receipt; notes; payment_capture), `GET /v1/orders/{id}`, `GET /v1/orders/{id}/payments`.
  Status created → attempted (a failed payment) → paid.
- Payments: `GET /v1/payments/{id}`, `POST /v1/payments/{id}/capture` (amount and currency must equal the
  authorized ones; captured once), `POST /v1/payments/{id}/refund` (full or partial; `amount_refunded`,
  `refund_status` partial/full, status refunded when all of it went back).
- The buyer (`pay`): Checkout's result for an order — a payment authorized (captured at once when the order
  says payment_capture 1) and the handler response signed as Razorpay signs it:
  HMAC-SHA256(`order_id|payment_id`, key secret), hex; or a failed payment (`error_code`
  BAD_REQUEST_ERROR, `error_reason` payment_failed) for a decline.
- Webhooks (`webhook`): the event body with `X-Razorpay-Signature` = HMAC-SHA256(raw body, webhook secret), hex,
  and `X-Razorpay-Event-Id`, as Razorpay sends them.
- `down = True` answers 503 to everything (an outage).

- An authorization that lapses (`expire_authorization`): the uncaptured payment refunded by Razorpay itself.
- Amounts: integers in the currency's subunit (JSON's `Infinity`, floats and booleans are refused), and for
  three-decimal currencies (KWD, BHD, OMR…) a last digit 0, as Razorpay requires; an unreadable body is a 400
  in Razorpay's error shape.

Not covered: Checkout itself (its UI, methods other than a card, UPI/netbanking flows), 3-D Secure (it
happens inside Checkout; the server only sees the payment authorized or failed), the S2S JSON payment
API, payment links, subscriptions, route/transfers, refunds' speed and `refund.*` events of their own,
order expiry, rate limits, and sending webhooks by itself (a test posts what `webhook` signs).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from tenantry_kernel.testing.http_standin import Answer, Call, StandIn


def _id(prefix: str) -> str:
    return f"{prefix}_{secrets.token_urlsafe(10).replace('-', 'A').replace('_', 'B')[:14]}"


def _error(status: int, description: str, *, field: str | None = None, reason: str = "NA") -> Answer:
    body: dict[str, Any] = {
        "error": {
            "code": "BAD_REQUEST_ERROR",
            "description": description,
            "source": "business" if status == 400 else "NA",
            "step": "payment_initiation" if status == 400 else "NA",
            "reason": reason,
            "metadata": {},
            "field": field,
        }
    }
    return Answer(status, body)


# Razorpay takes amounts in the currency's subunit (ISO 4217: JPY 1, INR 100, KWD 1000); for its three-decimal
# currencies the last digit must be 0 (Checkout and Orders docs: 295.991 KWD is sent as 295990).
THREE_DECIMAL = {"BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"}  # ISO 4217's currencies with 3 decimals


def _subunits_refused(amount: object, currency: str, minimum: int) -> str:
    """Why Razorpay refuses `amount` subunits of `currency` ("" if it takes it): JSON's `Infinity`, a float or a
    boolean is not an integer."""
    if not isinstance(amount, int) or isinstance(amount, bool):
        return "The amount must be an integer."
    if amount < minimum:
        return "The amount must be atleast INR 1.00"
    if currency in THREE_DECIMAL and amount % 10:
        return "The amount for three decimal currencies must have 0 as its last digit."
    return ""


def sign(secret: str, message: str) -> str:
    return hmac.new(secret.encode(), message.encode(), hashlib.sha256).hexdigest()


class RazorpayStandIn(StandIn):
    def __init__(self, keys: dict[str, str]) -> None:
        super().__init__()
        self.keys = dict(keys)  # key id → key secret
        self.orders: dict[str, dict[str, Any]] = {}
        self.payments: dict[str, dict[str, Any]] = {}
        self.owner: dict[str, str] = {}  # order or payment id → key id
        self._capture_mode: dict[str, bool] = {}  # order id → payment_capture
        self.route("POST", "/v1/orders", self.create_order)
        self.route("GET", "/v1/orders/{id}", self.get_order)
        self.route("GET", "/v1/orders/{id}/payments", self.order_payments)
        self.route("GET", "/v1/payments/{id}", self.get_payment)
        self.route("POST", "/v1/payments/{id}/capture", self.capture)
        self.route("POST", "/v1/payments/{id}/refund", self.refund)

    def dispatch(self, call: Call) -> Answer:
        if not self.down and (call.basic is None or self.keys.get(call.basic[0]) != call.basic[1] or not call.basic[1]):
            return _error(401, "Authentication failed")
        return super().dispatch(call)

    def not_found(self, call: Call) -> Answer:
        return _error(400, "The requested URL was not found on the server.")

    def malformed(self, call: Call, reason: str) -> Answer:
        return _error(400, "The request body is not valid JSON.")

    def _mine(self, call: Call, kind: dict[str, dict[str, Any]]) -> dict[str, Any] | None:
        object_id = call.params["id"]
        if object_id not in kind or call.basic is None or self.owner.get(object_id) != call.basic[0]:
            return None
        return kind[object_id]

    # ---- API ------------------------------------------------------------------------------

    def create_order(self, call: Call) -> Answer:
        data = call.json()
        amount, currency = data.get("amount"), data.get("currency")
        if not (isinstance(currency, str) and len(currency) == 3 and currency.isupper()):
            return _error(400, "The currency provided is invalid.", field="currency")
        refused = _subunits_refused(amount, currency, 100)
        if refused:
            return _error(400, refused, field="amount")
        if data.get("payment_capture", 1) not in (0, 1, "0", "1", True, False):
            return _error(400, "The payment capture field must be either 0 or 1.", field="payment_capture")
        order: dict[str, Any] = {
            "id": _id("order"),
            "entity": "order",
            "amount": amount,
            "amount_paid": 0,
            "amount_due": amount,
            "currency": currency,
            "receipt": data.get("receipt"),
            "offer_id": None,
            "status": "created",
            "attempts": 0,
            "notes": data.get("notes") or [],
            "created_at": int(time.time()),
        }
        self.orders[order["id"]] = order
        self.owner[order["id"]] = call.basic[0] if call.basic else ""
        self._capture_mode[order["id"]] = bool(int(data.get("payment_capture", 1)))
        return Answer(200, order)

    def get_order(self, call: Call) -> Answer:
        order = self._mine(call, self.orders)
        return Answer(200, order) if order else _error(400, "The id provided does not exist", field="id")

    def order_payments(self, call: Call) -> Answer:
        order = self._mine(call, self.orders)
        if order is None:
            return _error(400, "The id provided does not exist", field="id")
        items = [payment for payment in self.payments.values() if payment["order_id"] == order["id"]]
        return Answer(200, {"entity": "collection", "count": len(items), "items": items})

    def get_payment(self, call: Call) -> Answer:
        payment = self._mine(call, self.payments)
        return Answer(200, payment) if payment else _error(400, "The id provided does not exist", field="id")

    def capture(self, call: Call) -> Answer:
        payment = self._mine(call, self.payments)
        if payment is None:
            return _error(400, "The id provided does not exist", field="id")
        data = call.json()
        if payment["status"] != "authorized":
            return _error(
                400,
                "This payment has already been captured"
                if payment["captured"]
                else "Only payments which have been authorized and not yet captured can be captured",
            )
        if data.get("amount") != payment["amount"] or data.get("currency") != payment["currency"]:
            return _error(400, "Capture amount must be equal to the amount authorized", field="amount")
        payment.update(status="captured", captured=True)
        self._order_paid(payment)
        return Answer(200, payment)

    def refund(self, call: Call) -> Answer:
        payment = self._mine(call, self.payments)
        if payment is None:
            return _error(400, "The id provided does not exist", field="id")
        data = call.json()
        left = payment["amount"] - payment["amount_refunded"]
        amount = data.get("amount", left)
        if payment["status"] not in ("captured", "refunded") or not payment["captured"]:
            return _error(400, "The payment has not been captured and cannot be refunded")
        refused = _subunits_refused(amount, payment["currency"], 100)
        if refused:
            return _error(400, refused, field="amount")
        if amount > left:
            return _error(400, "The refund amount provided is greater than amount captured", field="amount")
        payment["amount_refunded"] += amount
        full = payment["amount_refunded"] == payment["amount"]
        payment.update(refund_status="full" if full else "partial", status="refunded" if full else "captured")
        refund = {
            "id": _id("rfnd"),
            "entity": "refund",
            "amount": amount,
            "currency": payment["currency"],
            "payment_id": payment["id"],
            "notes": data.get("notes") or [],
            "receipt": None,
            "status": "processed",
            "speed_processed": "normal",
            "created_at": int(time.time()),
        }
        return Answer(200, refund)

    def _order_paid(self, payment: dict[str, Any]) -> None:
        order = self.orders[payment["order_id"]]
        order.update(status="paid", amount_paid=order["amount"], amount_due=0)

    # ---- The buyer and the webhooks (for tests) ------------------------------------------

    def pay(self, order_id: str, *, decline: bool = False) -> dict[str, str]:
        """Checkout for `order_id`: the handler response the buyer's browser posts back (signed), or, declined,
        the failed payment's ids (Checkout's `payment.failed` has no signature)."""
        with self.lock:
            order = self.orders[order_id]
            key_id = self.owner[order_id]
            order["attempts"] += 1
            payment = {
                "id": _id("pay"),
                "entity": "payment",
                "amount": order["amount"],
                "currency": order["currency"],
                "status": "failed" if decline else "authorized",
                "order_id": order_id,
                "invoice_id": None,
                "international": False,
                "method": "card",
                "amount_refunded": 0,
                "refund_status": None,
                "captured": False,
                "description": None,
                "email": "buyer@example.test",
                "contact": "+919000090000",
                "error_code": "BAD_REQUEST_ERROR" if decline else None,
                "error_description": "Your payment has been declined by your bank." if decline else None,
                "error_source": "bank" if decline else None,
                "error_step": "payment_authorization" if decline else None,
                "error_reason": "payment_failed" if decline else None,
                "created_at": int(time.time()),
            }
            self.payments[payment["id"]] = payment
            self.owner[payment["id"]] = key_id
            if decline:
                order["status"] = "attempted"
                return {"razorpay_payment_id": payment["id"], "razorpay_order_id": order_id}
            if self._capture_mode.get(order_id, True):
                payment.update(status="captured", captured=True)
                self._order_paid(payment)
            signature = sign(self.keys[key_id], f"{order_id}|{payment['id']}")
            return {
                "razorpay_payment_id": payment["id"],
                "razorpay_order_id": order_id,
                "razorpay_signature": signature,
            }

    def expire_authorization(self, payment_id: str) -> None:
        """An authorized payment nobody captured in time: Razorpay refunds it by itself (status refunded, never
        captured), as its docs say of payments left uncaptured."""
        with self.lock:
            payment = self.payments[payment_id]
            payment.update(status="refunded", amount_refunded=payment["amount"], refund_status="full")

    def webhook(self, event: str, secret: str, *, payment_id: str, event_id: str = "") -> tuple[bytes, dict[str, str]]:
        """`event` about the payment, as Razorpay posts it: the body and its headers."""
        payment = self.payments[payment_id]
        body = json.dumps(
            {
                "entity": "event",
                "account_id": "acc_StandIn0000001",
                "event": event,
                "contains": ["payment"],
                "payload": {"payment": {"entity": payment}},
                "created_at": int(time.time()),
            }
        ).encode()
        headers = {
            "X-Razorpay-Signature": sign(secret, body.decode()),
            "X-Razorpay-Event-Id": event_id or _id("evt"),
        }
        return body, headers


@contextmanager
def running_razorpay(keys: dict[str, str]) -> Iterator[RazorpayStandIn]:
    """The stand-in on a free loopback port, for the key ids and secrets given; `.url` is its base URL."""
    standin = RazorpayStandIn(keys)
    with standin.running():
        yield standin
