"""A PayPal stand-in on loopback, following PayPal's published REST API (developer.paypal.com/api/rest, the
Orders v2, Payments v2 and Webhooks v1 references): the calls a server makes, with PayPal's shapes and errors.

Covered:
- OAuth2 client credentials: `POST /v1/oauth2/token` with Basic client id:secret → a Bearer token
  (`expires_in` 32400); wrong credentials → 401 `{"error": "invalid_client", ...}`. Every other call needs
  a token of this stand-in, else 401 `AUTHENTICATION_FAILURE`. Each client sees only its own orders
  (another client's order id is 404 `RESOURCE_NOT_FOUND`, as PayPal answers).
- Orders v2: `POST /v2/checkout/orders` (intent CAPTURE, one purchase unit; `value` must have the
  currency's decimals, else 422 `DECIMAL_PRECISION`; an unknown currency 422 `CURRENCY_NOT_SUPPORTED`;
  `PayPal-Request-Id` makes a retry return the same order), its `approve` link, `GET /v2/checkout/orders/{id}`,
  `POST /v2/checkout/orders/{id}/capture` (422 `ORDER_NOT_APPROVED` before approval, `ORDER_ALREADY_CAPTURED`
  twice, `INSTRUMENT_DECLINED` when the buyer's card is refused); the order then carries
  `purchase_units[0].payments.captures` and, after refunds, `.refunds`.
- Payments v2: `POST /v2/payments/captures/{id}/refund` (full or partial; 422 `REFUND_AMOUNT_EXCEEDED`).
- The buyer (`approve`): approves the order; or plays 3-D Secure (`three_d_secure=True`: the order is
  `PAYER_ACTION_REQUIRED` with a `payer-action` link until `complete_payer_action`); or approves with a card
  that the capture will decline (`decline=True`).
- Webhooks: `webhook()` makes an event and its PAYPAL-* transmission headers; `POST
  /v1/notifications/verify-webhook-signature` answers SUCCESS only for a transmission this stand-in made,
  with the same event, the same webhook id and the same signature, else FAILURE, as PayPal does.
  PayPal signs with RSA-SHA256 over `transmission_id|transmission_time|webhook_id|crc32(body)` and a
  certificate at PAYPAL-CERT-URL; the stand-in signs that same string with an HMAC key of its own (its
  "certificate" is not served): clients that verify through the API, as PayPal recommends, cannot tell.
- Amounts as PayPal checks them: `value` must match PayPal's schema pattern (so "Infinity", "NaN" or "1e3"
  are 400 `INVALID_REQUEST`/`INVALID_PARAMETER_SYNTAX`), be positive (`CANNOT_BE_ZERO_OR_NEGATIVE`), be in a
  currency PayPal lists (`CURRENCY_NOT_SUPPORTED`: KWD, INR…) with its decimals (none for HUF, JPY, TWD;
  `DECIMAL_PRECISION`); a refund in another currency than its capture is `CURRENCY_MISMATCH`, one of a fully
  refunded capture `CAPTURE_FULLY_REFUNDED`; an unreadable body is 400 `MALFORMED_REQUEST_JSON`.
- An approved order left uncaptured (`void`): VOIDED, as PayPal voids it.
- `down = True` answers 503 to everything (an outage).

Not covered: the buyer's pages, intent AUTHORIZE with authorizations/reauthorize/void, PATCH of orders,
payment sources and vaulting, disputes, payouts, order expiry by time (`void` plays it on demand), HATEOAS links
beyond approve/payer-action/self/capture, rate limits, and sending webhooks by itself.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import secrets
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from tenantry_kernel.testing.http_standin import Answer, Call, StandIn

ZERO_DECIMAL = {"HUF", "JPY", "TWD"}  # PayPal's currencies without decimals (its currency codes reference)
SUPPORTED = {
    "AUD",
    "BRL",
    "CAD",
    "CNY",
    "CZK",
    "DKK",
    "EUR",
    "HKD",
    "HUF",
    "ILS",
    "JPY",
    "MYR",
    "MXN",
    "TWD",
    "NZD",
    "NOK",
    "PHP",
    "PLN",
    "GBP",
    "SGD",
    "SEK",
    "CHF",
    "THB",
    "USD",
}


def _id() -> str:
    return secrets.token_hex(9).upper()


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _error(status: int, name: str, message: str, issue: str = "", description: str = "") -> Answer:
    body: dict[str, Any] = {"name": name, "message": message, "debug_id": secrets.token_hex(6)}
    if issue:
        body["details"] = [{"issue": issue, "description": description or issue}]
    body["links"] = [
        {
            "href": f"https://developer.paypal.com/api/rest/reference/orders/v2/errors/#{issue.lower()}",
            "rel": "information_link",
            "method": "GET",
        }
    ]
    return Answer(status, body)


def _unprocessable(issue: str, description: str) -> Answer:
    message = "The requested action could not be performed, semantically incorrect, or failed business validation."
    return _error(422, "UNPROCESSABLE_ENTITY", message, issue, description)


def _not_found() -> Answer:
    return _error(
        404,
        "RESOURCE_NOT_FOUND",
        "The specified resource does not exist.",
        "INVALID_RESOURCE_ID",
        "Specified resource ID does not exist. Please check the resource ID and try again.",
    )


# PayPal's schema for `amount.value` (Orders v2 and Payments v2 references): a string of at most 32 characters.
VALUE = re.compile(r"^((-?[0-9]+)|(-?([0-9]+)?[.][0-9]+))$")
SYNTAX = "The value of a field does not conform to the expected format."


def _invalid_value(issue: str, description: str) -> Answer:
    message = "Request is not well-formed, syntactically incorrect, or violates schema."
    return _error(400, "INVALID_REQUEST", message, issue, description)


def decimals(currency: str) -> int:
    """How many decimals PayPal writes `currency` with: 0 for HUF, JPY and TWD, else 2 (its currency codes page)."""
    return 0 if currency in ZERO_DECIMAL else 2


def _refused_value(value: object, currency: object) -> Answer | None:
    """PayPal's answer to an amount it does not take (None: it takes it), checked in PayPal's order: the schema
    (a string matching VALUE, so not "Infinity", "NaN" or "1e3"), the currency, then the currency's decimals."""
    if not isinstance(value, str) or len(value) > 32 or not VALUE.match(value):
        return _invalid_value("INVALID_PARAMETER_SYNTAX", SYNTAX)
    if not isinstance(currency, str) or currency not in SUPPORTED:
        return _unprocessable("CURRENCY_NOT_SUPPORTED", "Currency code is not currently supported.")
    amount = Decimal(value)
    exponent = amount.as_tuple().exponent
    if not isinstance(exponent, int):  # a non-finite Decimal ("n", "N", "F"); VALUE lets none through
        return _invalid_value("INVALID_PARAMETER_SYNTAX", SYNTAX)
    if amount <= 0:
        return _unprocessable("CANNOT_BE_ZERO_OR_NEGATIVE", "Must be greater than zero.")
    if -exponent != decimals(currency):
        return _unprocessable(
            "DECIMAL_PRECISION", "If the currency supports decimals, only two decimal place precision is supported."
        )
    return None


class PayPalStandIn(StandIn):
    def __init__(self, clients: dict[str, str]) -> None:
        super().__init__()
        self.clients = dict(clients)  # client id → secret
        self.tokens: dict[str, str] = {}  # token → client id
        self.orders: dict[str, dict[str, Any]] = {}
        self.owner: dict[str, str] = {}  # order id → client id
        self.by_request_id: dict[tuple[str, str], str] = {}
        self.declines: set[str] = set()
        self.captures: dict[str, str] = {}  # capture id → order id
        self.transmissions: dict[str, dict[str, Any]] = {}
        self._signing_key = secrets.token_bytes(32)
        self.route("POST", "/v1/oauth2/token", self.token)
        self.route("POST", "/v2/checkout/orders", self.create_order)
        self.route("GET", "/v2/checkout/orders/{id}", self.get_order)
        self.route("POST", "/v2/checkout/orders/{id}/capture", self.capture)
        self.route("POST", "/v2/payments/captures/{id}/refund", self.refund)
        self.route("POST", "/v1/notifications/verify-webhook-signature", self.verify_webhook_signature)

    def dispatch(self, call: Call) -> Answer:
        if not self.down and call.path != "/v1/oauth2/token" and call.bearer not in self.tokens:
            message = (
                "Authentication failed due to invalid authentication credentials or a missing Authorization header."
            )
            return Answer(401, {"name": "AUTHENTICATION_FAILURE", "message": message, "links": []})
        return super().dispatch(call)

    def not_found(self, call: Call) -> Answer:
        return _not_found()

    def malformed(self, call: Call, reason: str) -> Answer:
        return _invalid_value("MALFORMED_REQUEST_JSON", "The request JSON is not well formed.")

    def _order_of(self, call: Call) -> dict[str, Any] | None:
        order_id = call.params["id"]
        if order_id not in self.orders or self.owner[order_id] != self.tokens.get(call.bearer):
            return None
        return self.orders[order_id]

    # ---- API ------------------------------------------------------------------------------

    def token(self, call: Call) -> Answer:
        if call.basic is None or self.clients.get(call.basic[0]) != call.basic[1] or not call.basic[1]:
            return Answer(401, {"error": "invalid_client", "error_description": "Client Authentication failed"})
        if call.form().get("grant_type") != "client_credentials":
            return Answer(400, {"error": "unsupported_grant_type", "error_description": "Grant Type is NULL"})
        token = "A21AA" + secrets.token_urlsafe(32)
        self.tokens[token] = call.basic[0]
        return Answer(
            200,
            {
                "scope": "https://uri.paypal.com/services/payments/payment",
                "access_token": token,
                "token_type": "Bearer",
                "app_id": "APP-80W284485P519543T",
                "expires_in": 32400,
                "nonce": f"{_now()}{secrets.token_hex(8)}",
            },
        )

    def create_order(self, call: Call) -> Answer:
        client = self.tokens[call.bearer]
        request_id = call.headers.get("paypal-request-id", "")
        if request_id and (client, request_id) in self.by_request_id:
            return Answer(200, self.orders[self.by_request_id[(client, request_id)]])
        data = call.json()
        try:
            unit = data["purchase_units"][0]
            currency, value = unit["amount"]["currency_code"], unit["amount"]["value"]
        except (KeyError, IndexError, TypeError):
            return _error(
                400,
                "INVALID_REQUEST",
                "Request is not well-formed, syntactically incorrect, or violates schema.",
                "MISSING_REQUIRED_PARAMETER",
                "A required field / parameter is missing.",
            )
        if data.get("intent") != "CAPTURE":
            return _unprocessable("UNSUPPORTED_INTENT", "The stand-in supports intent CAPTURE only.")
        refused = _refused_value(value, currency)
        if refused is not None:
            return refused
        order_id = _id()
        order = {
            "id": order_id,
            "intent": "CAPTURE",
            "status": "CREATED",
            "purchase_units": [
                {
                    "reference_id": unit.get("reference_id", "default"),
                    "custom_id": unit.get("custom_id", ""),
                    "amount": {"currency_code": currency, "value": value},
                }
            ],
            "create_time": _now(),
            "links": self._links(order_id, "CREATED"),
        }
        self.orders[order_id] = order
        self.owner[order_id] = client
        if request_id:
            self.by_request_id[(client, request_id)] = order_id
        return Answer(201, order)

    def _links(self, order_id: str, status: str) -> list[dict[str, str]]:
        links = [{"href": f"{self.url}/v2/checkout/orders/{order_id}", "rel": "self", "method": "GET"}]
        if status == "CREATED":
            links.append({"href": f"{self.url}/checkoutnow?token={order_id}", "rel": "approve", "method": "GET"})
        if status == "PAYER_ACTION_REQUIRED":
            links.append(
                {"href": f"{self.url}/checkoutnow/3ds?token={order_id}", "rel": "payer-action", "method": "GET"}
            )
        if status == "APPROVED":
            links.append(
                {"href": f"{self.url}/v2/checkout/orders/{order_id}/capture", "rel": "capture", "method": "POST"}
            )
        return links

    def get_order(self, call: Call) -> Answer:
        order = self._order_of(call)
        return Answer(200, order) if order else _not_found()

    def capture(self, call: Call) -> Answer:
        order = self._order_of(call)
        if order is None:
            return _not_found()
        if order["status"] == "COMPLETED":
            return _unprocessable(
                "ORDER_ALREADY_CAPTURED",
                "Order already captured. If 'intent=CAPTURE' only one capture per order is allowed.",
            )
        if order["status"] != "APPROVED":
            return _unprocessable(
                "ORDER_NOT_APPROVED",
                "Payer has not yet approved the Order for payment. Please "
                "redirect the payer to the 'rel':'approve' url returned as part of the HATEOAS "
                "links within the Create Order call or provide a valid payment_source in the "
                "request.",
            )
        if order["id"] in self.declines:
            return _unprocessable(
                "INSTRUMENT_DECLINED",
                "The instrument presented  was either declined by the "
                "processor or bank, or it can't be used for this payment.",
            )
        unit = order["purchase_units"][0]
        capture_id = _id()
        unit["payments"] = {
            "captures": [
                {
                    "id": capture_id,
                    "status": "COMPLETED",
                    "amount": dict(unit["amount"]),
                    "final_capture": True,
                    "custom_id": unit.get("custom_id", ""),
                    "create_time": _now(),
                    "update_time": _now(),
                }
            ]
        }
        self.captures[capture_id] = order["id"]
        order["status"] = "COMPLETED"
        order["links"] = self._links(order["id"], "COMPLETED")
        return Answer(201, order)

    def refund(self, call: Call) -> Answer:
        order_id = self.captures.get(call.params["id"], "")
        if not order_id or self.owner[order_id] != self.tokens.get(call.bearer):
            return _not_found()
        unit = self.orders[order_id]["purchase_units"][0]
        capture = unit["payments"]["captures"][0]
        currency = capture["amount"]["currency_code"]
        refunds = unit["payments"].setdefault("refunds", [])
        left = Decimal(capture["amount"]["value"]) - sum((Decimal(r["amount"]["value"]) for r in refunds), Decimal(0))
        if left <= 0:
            return _unprocessable("CAPTURE_FULLY_REFUNDED", "The capture has already been fully refunded.")
        data = call.json()
        asked = data.get("amount")
        if asked is None:
            value = left  # no amount: the rest of the capture
        else:
            text = asked.get("value") if isinstance(asked, dict) else None
            refused = _refused_value(text, asked.get("currency_code") if isinstance(asked, dict) else None)
            if refused is not None:
                return refused
            if asked["currency_code"] != currency:
                return _unprocessable("CURRENCY_MISMATCH", "The currency of the refund must match the capture's.")
            value = Decimal(str(text))
        if value > left:
            return _unprocessable(
                "REFUND_AMOUNT_EXCEEDED",
                "The refund amount must be less than or equal to the capture amount that has not yet been refunded.",
            )
        refund = {
            "id": _id(),
            "status": "COMPLETED",
            "amount": {"currency_code": currency, "value": format(value, "f")},
            "create_time": _now(),
            "links": [],
        }
        refunds.append(refund)
        capture["status"] = "REFUNDED" if value == left else "PARTIALLY_REFUNDED"
        return Answer(201, {"id": refund["id"], "status": "COMPLETED", "links": refund["links"]})

    def verify_webhook_signature(self, call: Call) -> Answer:
        data = call.json()
        sent = self.transmissions.get(str(data.get("transmission_id")))
        ok = (
            sent is not None
            and sent["webhook_id"] == data.get("webhook_id")
            and sent["event"] == data.get("webhook_event")
            and hmac.compare_digest(sent["signature"], str(data.get("transmission_sig", "")))
        )
        return Answer(200, {"verification_status": "SUCCESS" if ok else "FAILURE"})

    # ---- The buyer and the webhooks (for tests) ------------------------------------------

    def approve(self, order_id: str, *, decline: bool = False, three_d_secure: bool = False) -> None:
        with self.lock:
            order = self.orders[order_id]
            order["status"] = "PAYER_ACTION_REQUIRED" if three_d_secure else "APPROVED"
            order["payer"] = {"payer_id": "QYR5Z8XDVJNXQ", "email_address": "buyer@example.test"}
            order["links"] = self._links(order_id, order["status"])
            if decline:
                self.declines.add(order_id)

    def void(self, order_id: str) -> None:
        """An approved order nobody captured in time: PayPal voids it (status VOIDED)."""
        with self.lock:
            self.orders[order_id]["status"] = "VOIDED"
            self.orders[order_id]["links"] = self._links(order_id, "VOIDED")

    def complete_payer_action(self, order_id: str) -> None:
        """The buyer passed 3-D Secure at PayPal."""
        with self.lock:
            self.orders[order_id]["status"] = "APPROVED"
            self.orders[order_id]["links"] = self._links(order_id, "APPROVED")

    def capture_id(self, order_id: str) -> str:
        return str(self.orders[order_id]["purchase_units"][0]["payments"]["captures"][0]["id"])

    def webhook(
        self, event_type: str, order_id: str, webhook_id: str, *, event_id: str = ""
    ) -> tuple[bytes, dict[str, str]]:
        """`event_type` about the order (its capture for PAYMENT.CAPTURE.*), as PayPal posts it."""
        with self.lock:
            order = self.orders[order_id]
            if event_type.startswith("PAYMENT.CAPTURE."):
                capture = order["purchase_units"][0]["payments"]["captures"][0]
                resource = {**capture, "supplementary_data": {"related_ids": {"order_id": order_id}}}
                resource_type = "capture"
            else:
                resource, resource_type = dict(order), "checkout-order"
            event = {
                "id": event_id or f"WH-{_id()}",
                "event_version": "1.0",
                "create_time": _now(),
                "resource_type": resource_type,
                "resource_version": "2.0",
                "event_type": event_type,
                "summary": event_type,
                "resource": resource,
                "links": [],
            }
            body = json.dumps(event).encode()
            transmission_id, transmission_time = secrets.token_hex(16), _now()
            message = f"{transmission_id}|{transmission_time}|{webhook_id}|{zlib.crc32(body)}"
            signature = base64.b64encode(hmac.new(self._signing_key, message.encode(), hashlib.sha256).digest())
            self.transmissions[transmission_id] = {
                "webhook_id": webhook_id,
                "event": json.loads(body),
                "signature": signature.decode(),
            }
            headers = {
                "PAYPAL-AUTH-ALGO": "SHA256withRSA",
                "PAYPAL-CERT-URL": f"{self.url}/v1/notifications/certs/CERT-360caa42-fca2a594-standin",
                "PAYPAL-TRANSMISSION-ID": transmission_id,
                "PAYPAL-TRANSMISSION-SIG": signature.decode(),
                "PAYPAL-TRANSMISSION-TIME": transmission_time,
            }
            return body, headers


@contextmanager
def running_paypal(clients: dict[str, str]) -> Iterator[PayPalStandIn]:
    """The stand-in on a free loopback port, for the client ids and secrets given; `.url` is its base URL."""
    standin = PayPalStandIn(clients)
    with standin.running():
        yield standin
