"""Money as the platform writes it: a decimal amount and an ISO 4217 currency code, never a float."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pycountry
from django.core.exceptions import ValidationError

from tenantry_kernel.money import MoneyError, quantum

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


def places(currency: str) -> Decimal:
    """The currency's minor unit (ISO 4217: 0.01 EUR, 1 JPY, 0.001 KWD); CENT for a code pycountry lists but the
    standard gives no minor unit (XAU…), which no gateway takes anyway."""
    try:
        return quantum(currency)
    except MoneyError:
        return CENT


def money(amount: Decimal, currency: str) -> dict[str, Any]:
    """The events' and the API's money object with the currency's own decimals: {"amount": "12.50", "currency":
    "EUR"}, {"amount": "1200", "currency": "JPY"}, {"amount": "1.250", "currency": "KWD"}. Amounts are rounded
    where they are made (tenantry_kernel.money); this only writes them, padding to the currency's places."""
    return {"amount": format(amount.quantize(places(currency), rounding=ROUND_HALF_UP), "f"), "currency": currency}
