"""Money: a `Decimal` amount in an ISO 4217 currency, rounded to the currency's minor unit by one rule.

**The rounding rule.** An amount is rounded to its currency's minor unit (ISO 4217's exponent: EUR and USD 2
decimals, JPY and KRW 0, KWD and BHD 3) half away from zero (`ROUND_HALF_UP`: 0.125 EUR → 0.13, -0.125 → -0.13),
the commercial rule that shoppers and tax offices expect, and once: a figure is computed in full precision and rounded
where it becomes an amount someone is charged or shown (a line's price after conversion, a line's tax, a discount's
share of a line), never at intermediate steps. Sums of rounded amounts stay exact (addition of amounts with the same
exponent does not round). When one amount is split over several (an order's discount over its lines, a refund over
payments), `allocate` gives shares that add up to the amount exactly, the leftover minor units going to the largest
remainders, so that nothing is created or lost by rounding.

**Exchange rates.** `convert` multiplies by a rate and rounds once; the rate comes from a `RatesProvider`
(`FileRates` reads a JSON file of rates against one base currency, so local runs and tests need no network;
`OverriddenRates` puts a store's own rates in front of any provider) and is kept with what it priced (an order
keeps the rate it used, as a `Rate` with its source and date), so a later rate never changes an old order.

Why not a library: py-moneyed (with django-money) and Saleor's `prices` give a Money class but round with babel's
CLDR digits (which differ from ISO 4217 for some currencies, e.g. CLDR gives ISK and HUF other cash digits) or leave
rounding to the caller, have no allocation, and `prices` has had no release since 2022. The exponents come from the
`iso4217` package, which ships the standard's own table as published by its maintenance agency (SIX); the currency
codes the platform accepts stay pycountry's (`is_currency`), and a code in one but not the other is refused.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal, InvalidOperation, localcontext
from functools import cache
from pathlib import Path
from typing import Protocol

import iso4217
import pycountry

# Rates are kept to this many decimal places: enough for any pair of currencies (1 IDR is about 0.00006 USD).
RATE_PLACES = Decimal("1e-10")


class MoneyError(ValueError):
    """An amount or a currency the money rules refuse; `code` names which rule (for problem details)."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.code = code


def is_currency(code: str) -> bool:
    """An active ISO 4217 code in capitals ("EUR") that has a minor unit (not gold, SDRs, test codes…)."""
    return (
        len(code) == 3
        and code.isascii()
        and code.isupper()
        and pycountry.currencies.get(alpha_3=code) is not None
        and _exponent_or_none(code) is not None
    )


@cache
def _exponent_or_none(code: str) -> int | None:
    try:
        return iso4217.Currency(code).exponent  # None for the codes without a minor unit (XAU, XDR, XTS…)
    except ValueError:
        return None


def exponent(currency: str) -> int:
    """The currency's minor unit as a power of ten: 2 for EUR, 0 for JPY, 3 for KWD."""
    found = _exponent_or_none(currency) if is_currency(currency) else None
    if found is None:
        raise MoneyError(
            f"{currency!r} is not an ISO 4217 currency with a minor unit; use three capital letters such as EUR.",
            "invalid_currency",
        )
    return found


def quantum(currency: str) -> Decimal:
    """The currency's smallest amount: Decimal("0.01") for EUR, Decimal("1") for JPY."""
    return Decimal(1).scaleb(-exponent(currency))


def round_money(amount: Decimal, currency: str) -> Decimal:
    """`amount` rounded to the currency's minor unit, half away from zero (the module's rule)."""
    if not amount.is_finite():
        raise MoneyError(f"{amount} is not an amount.", "invalid_amount")
    with localcontext() as context:
        context.prec = max(28, amount.adjusted() + 8)
        return amount.quantize(quantum(currency), rounding=ROUND_HALF_UP)


def is_rounded(amount: Decimal, currency: str) -> bool:
    """Whether `amount` is already a whole number of the currency's minor units (12.50 EUR yes, 12.505 EUR no)."""
    return amount.is_finite() and amount == round_money(amount, currency)


def to_minor(amount: Decimal, currency: str) -> int:
    """The amount in minor units, as payment gateways take it (12.50 EUR → 1250, 500 JPY → 500); the amount must
    already be rounded (a gateway must never be the one to round)."""
    if not is_rounded(amount, currency):
        places = exponent(currency)
        message = f"{amount} {currency} is not a whole number of minor units: {currency} has {places} decimals."
        raise MoneyError(message, "invalid_amount")
    return int(amount.scaleb(exponent(currency)))


def from_minor(units: int, currency: str) -> Decimal:
    """The amount of `units` minor units (1250 EUR → Decimal("12.50"))."""
    return Decimal(units).scaleb(-exponent(currency)).quantize(quantum(currency))


def allocate(amount: Decimal, weights: Sequence[Decimal], currency: str) -> list[Decimal]:
    """`amount` split over `weights` in proportion, each share rounded to the minor unit, the shares adding up to
    `amount` exactly: every share first gets its proportion rounded towards zero, then the minor units left over go
    one each to the shares with the largest remainders (ties: the earlier share). Weights are non-negative, at least
    one positive; `amount` must be rounded already."""
    if not weights or any(weight < 0 for weight in weights) or not any(weight > 0 for weight in weights):
        raise MoneyError("Allocation needs non-negative weights, at least one of them positive.", "invalid_weights")
    units = to_minor(amount, currency)
    total = sum(weights, Decimal(0))
    sign = -1 if units < 0 else 1
    with localcontext() as context:
        context.prec = 50
        exact = [abs(units) * weight / total for weight in weights]
    floors = [int(share.to_integral_value(rounding=ROUND_DOWN)) for share in exact]
    left = abs(units) - sum(floors)
    by_remainder = sorted(range(len(weights)), key=lambda i: (-(exact[i] - floors[i]), i))
    for i in by_remainder[:left]:
        floors[i] += 1
    return [from_minor(sign * share, currency) for share in floors]


@dataclass(frozen=True)
class Rate:
    """How many units of `quote` one unit of `base` buys, from `source`, as published on `as_of`."""

    base: str
    quote: str
    value: Decimal
    source: str
    as_of: date | None = None

    def inverse(self) -> Rate:
        with localcontext() as context:
            context.prec = 40
            value = (Decimal(1) / self.value).quantize(RATE_PLACES, rounding=ROUND_HALF_UP)
        return Rate(self.quote, self.base, value, self.source, self.as_of)


def convert(amount: Decimal, rate: Rate, currency: str) -> Decimal:
    """`amount` (in `rate.base`) in `currency` (which must be `rate.quote`): multiplied, then rounded once."""
    if currency != rate.quote:
        raise MoneyError(f"The rate is {rate.base}→{rate.quote}, not into {currency}.", "rate_mismatch")
    with localcontext() as context:
        context.prec = 50
        return round_money(amount * rate.value, currency)


class RatesProvider(Protocol):
    """Where exchange rates come from. `rate` raises MoneyError (code `rate_unavailable`) when it has none."""

    def rate(self, base: str, quote: str) -> Rate: ...


def _rate_value(text: object, where: str) -> Decimal:
    try:
        value = Decimal(str(text))
    except InvalidOperation:
        value = Decimal("NaN")
    if not value.is_finite() or value <= 0:
        raise MoneyError(f"{where}: {text!r} is not a positive exchange rate.", "invalid_rate")
    return value


@dataclass(frozen=True)
class FileRates:
    """Rates against one base currency from a JSON file, and every cross rate through that base:

        {"base": "EUR", "as_of": "2026-12-01", "source": "ECB reference rates", "rates": {"USD": "1.0512", ...}}

    A rate is a string (a decimal, not a float). USD→GBP is rates[GBP] / rates[USD]; base→X is rates[X].
    """

    base: str
    rates: Mapping[str, Decimal]
    source: str
    as_of: date | None = None

    @classmethod
    def from_file(cls, path: Path) -> FileRates:
        try:
            data = json.loads(path.read_text())
        except (OSError, ValueError) as exc:
            raise MoneyError(f"{path}: cannot read exchange rates ({exc}).", "invalid_rate") from exc
        return cls.from_mapping(data, where=str(path))

    @classmethod
    def from_mapping(cls, data: object, *, where: str = "exchange rates") -> FileRates:
        if not isinstance(data, dict) or not isinstance(data.get("rates"), dict):
            raise MoneyError(f"{where}: expected an object with a base currency and its rates.", "invalid_rate")
        base = str(data.get("base"))
        rates = {}
        for code in [base, *data["rates"]]:
            if not is_currency(str(code)):
                message = f"{where}: {code!r} is not an ISO 4217 currency with a minor unit."
                raise MoneyError(message, "invalid_currency")
        for code, text in data["rates"].items():
            rates[str(code)] = _rate_value(text, f"{where}, {code}")
        as_of = data.get("as_of")
        try:
            day = date.fromisoformat(as_of) if isinstance(as_of, str) else None
        except ValueError as exc:
            raise MoneyError(f"{where}: as_of {as_of!r} is not a date (YYYY-MM-DD).", "invalid_rate") from exc
        return cls(base, rates, str(data.get("source") or where), day)

    def _against_base(self, code: str) -> Decimal:
        if code == self.base:
            return Decimal(1)
        if code not in self.rates:
            raise MoneyError(f"No exchange rate for {code} ({self.source}).", "rate_unavailable")
        return self.rates[code]

    def rate(self, base: str, quote: str) -> Rate:
        for code in (base, quote):
            exponent(code)  # a known currency, or MoneyError
        with localcontext() as context:
            context.prec = 40
            value = (self._against_base(quote) / self._against_base(base)).quantize(RATE_PLACES, rounding=ROUND_HALF_UP)
        return Rate(base, quote, value, self.source, self.as_of)


@dataclass(frozen=True)
class OverriddenRates:
    """A store's own rates (`overrides`, (base, quote) → rate) in front of another provider; an override of A→B is
    also used, inverted, for B→A unless that has its own."""

    provider: RatesProvider
    overrides: Mapping[tuple[str, str], Decimal]
    source: str = "store override"

    def rate(self, base: str, quote: str) -> Rate:
        if (base, quote) in self.overrides:
            return Rate(base, quote, _rate_value(self.overrides[base, quote], f"{base}→{quote}"), self.source)
        if (quote, base) in self.overrides:
            value = _rate_value(self.overrides[quote, base], f"{quote}→{base}")
            return Rate(quote, base, value, self.source).inverse()
        return self.provider.rate(base, quote)


def total(amounts: Iterable[Decimal], currency: str) -> Decimal:
    """The sum of rounded amounts of one currency (exact; a not-rounded amount is an error, not rounded here)."""
    result = Decimal(0).quantize(quantum(currency))
    for amount in amounts:
        if not is_rounded(amount, currency):
            raise MoneyError(f"{amount} {currency} is not a whole number of minor units.", "invalid_amount")
        result += amount
    return result
