"""The one interface the checkout uses for every gateway, and what it speaks: amounts, states, events, errors.

Amounts are `Decimal` in a currency's major unit ("12.50" EUR); gateways count in minor units, so
the kernel's `to_minor`/`from_minor` (tenantry_kernel.money) convert by the currency's ISO 4217 exponent
(JPY 0, EUR 2, KWD 3) and refuse an amount with more decimals than the currency has (never rounding money
silently: a MoneyError, which is a ValueError).

A payment at a gateway goes through these states (`PaymentState.status`):

    requires_action ──(buyer approves / 3-D Secure)──▶ authorized ──capture──▶ captured ──refund──▶ refunded
          │                                                                      (partly: refunded < captured)
          └──────────────────────────▶ failed (declined, authentication failed)

`pending` is a payment the buyer has not acted on yet (a PayPal order not approved, a Razorpay order not paid).
Webhooks are verified and parsed into `GatewayEvent`s; the event id makes each one count once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal, Protocol

from tenantry_kernel.money import MoneyError, to_minor

Status = Literal["pending", "requires_action", "authorized", "captured", "failed", "cancelled"]
EventKind = Literal["succeeded", "requires_action", "failed", "refunded", "captured", "authorized", "other"]


def minor_units(amount: Decimal, currency: str) -> int:
    """The amount in the currency's ISO 4217 minor units (12.50 EUR → 1250, 1200 JPY → 1200, 1.250 KWD → 1250);
    AmountNotPayable for an amount with more decimals than the currency has, or no amount at all (NaN)."""
    try:
        return to_minor(amount, currency)
    except MoneyError as exc:
        raise AmountNotPayable(str(exc)) from exc


def ending_in_zero(units: int, amount: Decimal, currency: str, gateway: str) -> int:
    """`units` of a three-decimal currency whose last digit is 0, as Stripe and Razorpay require (1.250 KWD → 1250);
    AmountNotPayable for 1.255 KWD (never rounded here: the store prices in tenths of the minor unit)."""
    if units % 10:
        message = (
            f"{gateway} takes {currency} amounts in steps of 0.010 (the third decimal 0); {amount} {currency} is not."
        )
        raise AmountNotPayable(message)
    return units


@dataclass(frozen=True)
class Credentials:
    """A store's connection to a gateway (decrypted only to make a call; never logged: repr hides the secrets)."""

    public_id: str  # Stripe publishable key, PayPal client id, Razorpay key id
    secret: str = field(repr=False)  # Stripe secret key, PayPal client secret, Razorpay key secret
    webhook_secret: str = field(default="", repr=False)  # Stripe whsec_…, Razorpay webhook secret, PayPal webhook id
    api_base: str = ""  # the gateway's API (a stand-in in tests); empty: the gateway's own


@dataclass(frozen=True)
class PaymentState:
    reference: str  # the gateway's id of the payment (PaymentIntent, PayPal order, Razorpay order)
    status: Status
    amount: Decimal
    currency: str
    captured: Decimal = Decimal(0)
    refunded: Decimal = Decimal(0)
    # What the buyer does next (requires_action/pending): a redirect URL, a client secret, a checkout order id.
    next_action: dict[str, Any] = field(default_factory=dict)
    # The id the gateway refunds against when it is not `reference` (a PayPal capture, a Razorpay payment).
    capture_reference: str = ""
    failure: str = ""


@dataclass(frozen=True)
class GatewayEvent:
    event_id: str  # the gateway's own id: an event counts once
    kind: EventKind
    reference: str  # the payment's `reference` it is about ("" if the event names none we know)
    gateway_type: str  # the gateway's event name, e.g. "payment_intent.succeeded"


# ---- Errors: each becomes a problem detail (tenant_app.payments.errors), never a 500 --------------


class GatewayError(Exception):
    code = "gateway_error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class PaymentDeclined(GatewayError):
    """The buyer's bank or the gateway said no (402 payment_declined)."""

    code = "payment_declined"


class AmountNotPayable(GatewayError):
    """The gateway cannot take this amount in this currency as it is (more decimals than it takes); 400
    amount_not_payable, checked before any call."""

    code = "amount_not_payable"


class CurrencyNotSupported(GatewayError):
    """The gateway does not take this currency at all (PayPal and KWD); 400 currency_not_supported, before any call."""

    code = "currency_not_supported"


class GatewayUnavailable(GatewayError):
    """The gateway did not answer, or answered 5xx (502 gateway_unavailable)."""

    code = "gateway_unavailable"


class GatewayCredentialsRejected(GatewayError):
    """The store's credentials were refused (502 gateway_credentials_rejected: the store must reconnect)."""

    code = "gateway_credentials_rejected"


class GatewayRejected(GatewayError):
    """The gateway refused the request as invalid in its current state (409 gateway_rejected)."""

    code = "gateway_rejected"


class InvalidWebhook(GatewayError):
    """A webhook that is not the gateway's shape: no JSON, no event id (400 webhook_invalid)."""

    code = "webhook_invalid"


class ForgedWebhook(InvalidWebhook):
    """A webhook whose signature does not verify (400 webhook_signature_invalid): nothing is changed."""

    code = "webhook_signature_invalid"


class PaymentSignatureInvalid(GatewayError):
    """What the buyer's side sent back is not signed by the gateway (400 payment_signature_invalid)."""

    code = "payment_signature_invalid"


class Gateway(Protocol):
    """What the checkout needs of a gateway. Every method may raise the errors above, and nothing else."""

    name: str

    def create_payment(self, amount: Decimal, currency: str, *, order_id: str, manual_capture: bool) -> PaymentState:
        """A payment for `amount` at the gateway, waiting for the buyer (Stripe: a PaymentIntent; PayPal: an order
        with its approve link; Razorpay: an order for Checkout)."""
        ...

    def confirm(self, reference: str, buyer: dict[str, str]) -> PaymentState:
        """What the buyer's side sent back: Stripe a payment method (confirms, may need 3-D Secure);
        PayPal nothing (approval happened at PayPal); Razorpay the signed handler response (checked here)."""
        ...

    def capture(self, state: PaymentState) -> PaymentState:
        """Take the authorized money."""
        ...

    def refund(self, state: PaymentState, amount: Decimal) -> PaymentState:
        """Give back `amount` (all or part) of what was captured."""
        ...

    def retrieve(self, reference: str) -> PaymentState:
        """The payment as the gateway sees it now: the truth webhooks are reconciled against."""
        ...

    def parse_webhook(self, body: bytes, headers: dict[str, str]) -> GatewayEvent:
        """Verify the webhook's signature as the gateway signs it, then name the event; InvalidWebhook if not."""
        ...
