"""Money as the platform writes it: a decimal amount and an ISO 4217 currency code, never a float."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pycountry
from django.core.exceptions import ValidationError

CENT = Decimal("0.01")


def is_currency(code: str) -> bool:
    """An active ISO 4217 code in capitals ("EUR"), as pycountry's copy of the standard lists them."""
    return len(code) == 3 and code.isascii() and code.isupper() and pycountry.currencies.get(alpha_3=code) is not None


def validate_currency(code: str) -> None:
    if not is_currency(code):
        raise ValidationError(
            f"{code!r} is not an ISO 4217 currency code; use three capital letters such as EUR or USD.",
            code="invalid_currency",
        )


def money(amount: Decimal, currency: str) -> dict[str, Any]:
    """The events' and the API's money object: {"amount": "12.50", "currency": "EUR"}."""
    return {"amount": format(amount.quantize(CENT), "f"), "currency": currency}
