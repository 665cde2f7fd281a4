"""Input rules for every DRF field of both projects: text must be sent as text, numbers in ASCII digits.

DRF's CharField turns JSON numbers into text (`1e400` became the store slug "inf", `12` a name "12"),
and its DecimalField reads any Unicode digit (Arabic-Indic "١٢" is 12) and keeps "-0". These rules are
installed once on DRF's own fields when the kernel's web app loads (`install_input_rules`), not as
fields of our own: the fields ModelSerializer generates and those of libraries (simplejwt's token
fields) are DRF's classes too, and a subclass every serializer has to remember would be forgotten.
The web contract checks each project refuses both.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from rest_framework import fields

# What a decimal may look like on the wire: ASCII digits, one optional sign, point and exponent.
ASCII_DECIMAL = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?", re.ASCII)


def parse_decimal(text: str) -> Decimal:
    """`text` as a Decimal, ASCII digits only and zero without a sign; ValueError for anything else.

    Python's Decimal reads digits of every script, and "NaN" and "Infinity"; money and amounts in
    Tenantry are plain ASCII numbers (GraphQL's Decimal scalar uses this too).
    """
    if not ASCII_DECIMAL.fullmatch(text.strip()):
        raise ValueError(f"{text[:40]!r} is not a decimal number in ASCII digits, such as 12.50.")
    return without_negative_zero(Decimal(text.strip()))


def without_negative_zero(value: Decimal) -> Decimal:
    """-0 (or -0.00) as 0 with its exponent: a price of "-0.00" is shown, stored and sent as "0.00"."""
    return abs(value) if value.is_zero() else value


_char_to_internal_value = fields.CharField.to_internal_value
_decimal_to_internal_value = fields.DecimalField.to_internal_value


def _text_only(self: fields.CharField, data: Any) -> str:
    if not isinstance(data, str):
        self.fail("invalid")  # "Not a valid string."
    return _char_to_internal_value(self, data)


def _ascii_decimal(self: fields.DecimalField, data: Any) -> Decimal:
    # Numbers (JSON) and Decimals (GraphQL's scalar) print in ASCII; text is checked as sent.
    if isinstance(data, str) and not self.localize and not ASCII_DECIMAL.fullmatch(data.strip()):
        self.fail("invalid")  # "A valid number is required."
    value: Decimal = _decimal_to_internal_value(self, data)
    return without_negative_zero(value)


def install_input_rules() -> None:
    """Put the rules above on DRF's CharField (and so EmailField, SlugField, RegexField, …) and DecimalField."""
    fields.CharField.to_internal_value = _text_only  # type: ignore[method-assign, assignment]
    fields.DecimalField.to_internal_value = _ascii_decimal  # type: ignore[method-assign, assignment]
