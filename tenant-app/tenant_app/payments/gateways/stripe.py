"""Stripe PaymentIntents through the `stripe` SDK: create, confirm (3-D Secure `requires_action`), manual capture,
refund, and webhooks checked by their `Stripe-Signature`.

`Credentials.api_base` points the client at a stand-in (localstripe in tests); empty, at Stripe itself.
What localstripe lacks, and so what the tests cannot show: it refuses `payment_method` on
`/confirm` (so a payment method is given when the intent is created and confirmed in one step), it
plays 3-D Secure through its own `/_authenticate` endpoint rather than a Stripe.js redirect, it checks
no key beyond "starts with sk_", it never sends `charge.refunded` for refunds, and it signs no events of
its own for a test client without a live server (tests sign them as Stripe does).

Amounts are in Stripe's minor units (docs.stripe.com/currencies), which follow ISO 4217 except: the zero-decimal
currencies Stripe lists (JPY, KRW, … and MGA, whose ISO exponent is 2) are whole units; ISK, zero-decimal in ISO,
is sent with two decimals "00"; and the three-decimal currencies (BHD, JOD, KWD, OMR, TND) are in thousandths whose
last digit must be 0. An amount Stripe cannot take as it is is refused before any call (AmountNotPayable), never
rounded.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import stripe
from stripe.params import PaymentIntentCreateParams, PaymentIntentUpdateParams, RefundCreateParams, RefundListParams

from tenant_app.payments.gateways.base import (
    AmountNotPayable,
    Credentials,
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
    ending_in_zero,
    minor_units,
)
from tenantry_kernel.money import exponent, quantum

# Stripe's zero-decimal currencies (docs.stripe.com/currencies#zero-decimal).
ZERO_DECIMAL = frozenset(
    {"BIF", "CLP", "DJF", "GNF", "JPY", "KMF", "KRW", "MGA", "PYG", "RWF", "UGX", "VND", "VUV", "XAF", "XOF", "XPF"}
)
THREE_DECIMAL = frozenset({"BHD", "JOD", "KWD", "OMR", "TND"})
TWO_DECIMAL_ALWAYS = frozenset({"ISK"})  # zero-decimal in ISO 4217, sent by Stripe's API with "00"


def stripe_exponent(currency: str) -> int:
    if currency in ZERO_DECIMAL:
        return 0
    if currency in TWO_DECIMAL_ALWAYS:
        return 2
    return exponent(currency)


def to_stripe(amount: Decimal, currency: str) -> int:
    """`amount` as Stripe's `amount` (1200 JPY → 1200, 12.50 EUR → 1250, 1.250 KWD → 1250, 500 ISK → 50000)."""
    minor_units(amount, currency)  # the currency's own decimals first (AmountNotPayable: 12.50 JPY)
    units = amount.scaleb(stripe_exponent(currency))
    if units != units.to_integral_value():  # MGA: ISO has 2 decimals, Stripe none
        raise AmountNotPayable(f"Stripe takes {currency} in whole units; {amount} {currency} is not one.")
    if currency in THREE_DECIMAL:
        return ending_in_zero(int(units), amount, currency, "Stripe")
    return int(units)


def from_stripe(units: int, currency: str) -> Decimal:
    """Stripe's `amount` as an amount of the currency, with its ISO 4217 decimals."""
    return Decimal(units).scaleb(-stripe_exponent(currency)).quantize(quantum(currency))


STATUSES: dict[str, Status] = {
    "requires_payment_method": "pending",
    "requires_confirmation": "pending",
    "requires_action": "requires_action",
    "processing": "pending",
    "requires_capture": "authorized",
    "succeeded": "captured",
    "canceled": "cancelled",
}
EVENTS: dict[str, EventKind] = {
    "payment_intent.succeeded": "succeeded",
    "payment_intent.requires_action": "requires_action",
    "payment_intent.payment_failed": "failed",
    "payment_intent.canceled": "failed",  # voided, or the authorization expired uncaptured
    "payment_intent.amount_capturable_updated": "authorized",
    "charge.captured": "captured",
    "charge.refunded": "refunded",
}
WEBHOOK_TOLERANCE = 300  # seconds, Stripe's default


class StripeGateway:
    name = "stripe"

    def __init__(self, credentials: Credentials) -> None:
        self.credentials = credentials
        options: dict[str, Any] = {"max_network_retries": 1}
        if credentials.api_base:
            options["base_addresses"] = {"api": credentials.api_base}
        self.client = stripe.StripeClient(credentials.secret, **options)

    def create_payment(self, amount: Decimal, currency: str, *, order_id: str, manual_capture: bool) -> PaymentState:
        params: PaymentIntentCreateParams = {
            "amount": to_stripe(amount, currency),
            "currency": currency.lower(),
            "capture_method": "manual" if manual_capture else "automatic",
            "metadata": {"order_id": order_id},
        }
        with _errors():
            intent = self.client.v1.payment_intents.create(params=params)
        return self._state(intent)

    def confirm(self, reference: str, buyer: dict[str, str]) -> PaymentState:
        payment_method = buyer.get("payment_method", "")
        if not payment_method.startswith("pm_"):
            raise GatewayRejected("Stripe needs the buyer's `payment_method` (pm_…) to confirm.")
        with _errors():
            intent = self.client.v1.payment_intents.retrieve(reference)
            # localstripe takes the payment method only while creating; Stripe takes it either way.
            if not intent.to_dict().get("payment_method"):
                update: PaymentIntentUpdateParams = {"payment_method": payment_method}
                intent = self.client.v1.payment_intents.update(reference, params=update)
            if intent.status == "requires_confirmation":
                intent = self.client.v1.payment_intents.confirm(reference)
        return self._state(intent)

    def capture(self, state: PaymentState) -> PaymentState:
        with _errors():
            intent = self.client.v1.payment_intents.capture(state.reference)
        return self._state(intent)

    def refund(self, state: PaymentState, amount: Decimal) -> PaymentState:
        params: RefundCreateParams = {"payment_intent": state.reference, "amount": to_stripe(amount, state.currency)}
        with _errors():
            self.client.v1.refunds.create(params=params)
        return self.retrieve(state.reference)

    def retrieve(self, reference: str) -> PaymentState:
        with _errors():
            intent = self.client.v1.payment_intents.retrieve(reference)
            refunded = 0
            if intent.status == "succeeded":
                listing: RefundListParams = {"payment_intent": reference, "limit": 100}
                refunds = self.client.v1.refunds.list(params=listing)
                refunded = sum(refund.amount for refund in refunds.data)
        return self._state(intent, refunded)

    def parse_webhook(self, body: bytes, headers: dict[str, str]) -> GatewayEvent:
        signature = headers.get("stripe-signature", "")
        try:
            event = stripe.Webhook.construct_event(
                body.decode(), signature, self.credentials.webhook_secret, tolerance=WEBHOOK_TOLERANCE
            )
        except (ValueError, UnicodeDecodeError) as exc:
            raise InvalidWebhook("The body is not a Stripe event.") from exc
        except stripe.SignatureVerificationError as exc:
            raise ForgedWebhook("The Stripe-Signature does not verify.") from exc
        obj = event.data.object.to_dict()
        reference = obj.get("id", "") if obj.get("object") == "payment_intent" else obj.get("payment_intent") or ""
        return GatewayEvent(event.id, EVENTS.get(event.type, "other"), str(reference), event.type)

    def _state(self, resource: Any, refunded_minor: int = 0) -> PaymentState:
        intent: dict[str, Any] = resource.to_dict()
        currency = str(intent["currency"]).upper()
        status = STATUSES.get(str(intent["status"]), "pending")
        error = intent.get("last_payment_error") or {}
        if intent["status"] == "requires_payment_method" and error:
            status = "failed"
        next_action: dict[str, Any] = {}
        if status in ("pending", "requires_action"):
            next_action = {"type": "stripe_js", "client_secret": intent["client_secret"]}
        amount = from_stripe(int(intent["amount"]), currency)
        return PaymentState(
            reference=str(intent["id"]),
            status=status,
            amount=amount,
            currency=currency,
            captured=amount if status == "captured" else Decimal(0),
            refunded=from_stripe(refunded_minor, currency),
            next_action=next_action,
            capture_reference=str(intent["id"]),
            failure=str(error.get("message") or "") if error else "",
        )


class _errors:
    """Stripe's exceptions as the gateway interface's."""

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: Any, exc: BaseException | None, tb: Any) -> None:
        if exc is None:
            return
        if isinstance(exc, stripe.CardError):
            raise PaymentDeclined(exc.user_message or "The card was declined.") from exc
        if isinstance(exc, stripe.AuthenticationError | stripe.PermissionError):
            raise GatewayCredentialsRejected("Stripe refused the store's API key.") from exc
        if isinstance(exc, stripe.InvalidRequestError):
            raise GatewayRejected(f"Stripe refused the request: {exc.user_message or exc}") from exc
        if isinstance(exc, stripe.StripeError):
            raise GatewayUnavailable("Stripe did not answer; try again in a moment.") from exc
