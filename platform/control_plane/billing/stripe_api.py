"""The one way billing talks to Stripe: a configured `StripeClient`, and Stripe's errors as API errors.

`STRIPE_API_HOST` points both this client and dj-stripe (which uses the `stripe` module's
global `api_base`) at a stand-in such as localstripe; unset, they talk to Stripe itself.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal

import stripe
from django.conf import settings
from rest_framework import status
from rest_framework.exceptions import APIException

# Currencies Stripe counts in whole units (no cents).
ZERO_DECIMAL = frozenset({"bif", "clp", "djf", "gnf", "jpy", "kmf", "krw", "mga", "pyg", "rwf", "vnd", "vuv", "xaf"})


class PaymentFailed(APIException):
    status_code = status.HTTP_402_PAYMENT_REQUIRED
    default_code = "payment_failed"
    default_detail = "The payment was declined; use another payment method and try again."


class StripeRejected(APIException):
    status_code = status.HTTP_400_BAD_REQUEST
    default_code = "stripe_rejected"
    default_detail = "Stripe refused the request."


class StripeUnavailable(APIException):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_code = "stripe_unavailable"
    default_detail = "The payment provider did not answer; try again in a moment."


class StripeNotConfigured(APIException):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_code = "billing_not_configured"
    default_detail = "Billing is not configured on this platform (STRIPE_SECRET_KEY is unset)."


def api_host() -> str | None:
    return getattr(settings, "STRIPE_API_HOST", None) or None


def configure() -> None:
    """Apply `STRIPE_API_HOST` to the `stripe` module, which dj-stripe's syncs go through."""
    host = api_host()
    stripe.api_base = host or "https://api.stripe.com"


def client() -> stripe.StripeClient:
    key: str = settings.STRIPE_SECRET_KEY
    if not key:
        raise StripeNotConfigured()
    configure()
    host = api_host()
    if host:
        return stripe.StripeClient(key, base_addresses={"api": host}, max_network_retries=2)
    return stripe.StripeClient(key, max_network_retries=2)


@contextmanager
def errors_as_api_errors() -> Iterator[None]:
    """Declines become 402 `payment_failed`, refusals 400 `stripe_rejected`, outages 503 — never a 500."""
    try:
        yield
    except stripe.CardError as exc:
        raise PaymentFailed(exc.user_message or PaymentFailed.default_detail) from exc
    except stripe.InvalidRequestError as exc:
        raise StripeRejected(f"Stripe refused the request: {exc.user_message or exc}") from exc
    except (stripe.APIConnectionError, stripe.RateLimitError) as exc:
        raise StripeUnavailable() from exc
    except stripe.StripeError as exc:
        raise StripeUnavailable(f"The payment provider failed: {exc.user_message or exc}") from exc


def is_missing(exc: stripe.StripeError) -> bool:
    return isinstance(exc, stripe.InvalidRequestError) and exc.http_status == 404


def from_minor(amount: int, currency: str) -> Decimal:
    """Stripe's integer amount (cents) as a decimal amount of `currency`."""
    if currency.lower() in ZERO_DECIMAL:
        return Decimal(amount)
    return (Decimal(amount) / 100).quantize(Decimal("0.01"))
