"""Money's rules (tenantry_kernel.money): minor units from ISO 4217, one rounding rule, allocation that balances to
the minor unit, conversion through rates from a file or a store's overrides. Property-based where a rule must hold for
every amount (hypothesis), with examples for the rule's edges."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tenantry_kernel.money import (
    FileRates,
    MoneyError,
    OverriddenRates,
    Rate,
    allocate,
    convert,
    exponent,
    from_minor,
    is_currency,
    quantum,
    round_money,
    to_minor,
    total,
)

# Currencies of each exponent ISO 4217 has: 0, 2 and 3 decimals.
CURRENCIES = ["EUR", "USD", "JPY", "KRW", "KWD", "BHD", "CHF", "ISK"]
currencies = st.sampled_from(CURRENCIES)
# Amounts up to a trillion with more decimals than any currency has: what a computation produces before rounding.
raw_amounts = st.decimals(min_value=Decimal("-1e12"), max_value=Decimal("1e12"), places=6, allow_nan=False)
weights = st.lists(st.decimals(min_value=0, max_value=10_000, places=3, allow_nan=False), min_size=1, max_size=30)
rates = st.decimals(min_value=Decimal("0.0001"), max_value=Decimal("20000"), places=4, allow_nan=False)


def test_minor_units_are_the_standards() -> None:
    assert [exponent(code) for code in ("EUR", "USD", "JPY", "KRW", "KWD", "BHD", "ISK")] == [2, 2, 0, 0, 3, 3, 0]
    assert (quantum("EUR"), quantum("JPY"), quantum("KWD")) == (Decimal("0.01"), Decimal(1), Decimal("0.001"))


FULL_WIDTH_EUR = "\uff25\uff35\uff32"


@pytest.mark.parametrize("code", ["eur", "EURO", "XAU", "XTS", "ZZZ", "", "€", FULL_WIDTH_EUR])
def test_codes_that_are_not_currencies_with_a_minor_unit_are_refused(code: str) -> None:
    assert not is_currency(code)
    with pytest.raises(MoneyError) as refused:
        exponent(code)
    assert refused.value.code == "invalid_currency"


@pytest.mark.parametrize(
    ("amount", "currency", "rounded"),
    [
        ("0.125", "EUR", "0.13"),
        ("-0.125", "EUR", "-0.13"),
        ("0.124999", "EUR", "0.12"),
        ("2.5", "JPY", "3"),
        ("-2.5", "JPY", "-3"),
        ("1.0005", "KWD", "1.001"),
        ("10", "EUR", "10.00"),
    ],
)
def test_amounts_round_half_away_from_zero_to_the_minor_unit(amount: str, currency: str, rounded: str) -> None:
    result = round_money(Decimal(amount), currency)
    assert str(result) == rounded


@given(raw_amounts, currencies)
def test_rounding_lands_on_the_minor_unit_within_half_of_one(amount: Decimal, currency: str) -> None:
    rounded = round_money(amount, currency)
    assert rounded == round_money(rounded, currency)  # rounding twice changes nothing
    assert abs(rounded - amount) <= quantum(currency) / 2
    assert rounded.as_tuple().exponent == -exponent(currency)


@given(raw_amounts, currencies)
def test_minor_units_round_trip(amount: Decimal, currency: str) -> None:
    rounded = round_money(amount, currency)
    assert from_minor(to_minor(rounded, currency), currency) == rounded


def test_an_amount_that_is_not_rounded_never_reaches_a_gateway() -> None:
    with pytest.raises(MoneyError) as refused:
        to_minor(Decimal("12.505"), "EUR")
    assert refused.value.code == "invalid_amount"
    assert to_minor(Decimal("500"), "JPY") == 500
    assert to_minor(Decimal("1.250"), "KWD") == 1250
    with pytest.raises(MoneyError):
        round_money(Decimal("NaN"), "EUR")
    with pytest.raises(MoneyError):
        total([Decimal("1.00"), Decimal("0.005")], "EUR")


@given(raw_amounts, weights, currencies)
def test_allocation_adds_up_to_the_amount_and_follows_the_weights(
    amount: Decimal, parts: list[Decimal], currency: str
) -> None:
    if not any(part > 0 for part in parts):
        parts = [*parts, Decimal(1)]
    amount = round_money(amount, currency)

    shares = allocate(amount, parts, currency)

    assert total(shares, currency) == amount  # nothing created or lost by rounding
    assert len(shares) == len(parts)
    whole = sum(parts, Decimal(0))
    for share, part in zip(shares, parts, strict=True):
        assert abs(share - amount * part / whole) < quantum(currency)  # off by less than one minor unit
        if part == 0:
            assert share == 0
        assert share == 0 or (share > 0) == (amount > 0)


def test_allocation_gives_leftover_units_to_the_largest_remainders() -> None:
    assert allocate(Decimal("10.00"), [Decimal(1)] * 3, "EUR") == [Decimal("3.34"), Decimal("3.33"), Decimal("3.33")]
    assert allocate(Decimal("1.00"), [Decimal(1), Decimal(2)], "EUR") == [Decimal("0.33"), Decimal("0.67")]
    assert allocate(Decimal("-5"), [Decimal(1), Decimal(1)], "JPY") == [Decimal("-3"), Decimal("-2")]
    for bad in ([], [Decimal(0)], [Decimal(1), Decimal(-1)]):
        with pytest.raises(MoneyError):
            allocate(Decimal("1.00"), bad, "EUR")


@given(raw_amounts, rates, currencies, currencies)
def test_conversion_rounds_once_to_the_target_currency(amount: Decimal, value: Decimal, base: str, quote: str) -> None:
    amount = round_money(amount, base)
    rate = Rate(base, quote, value, "test")

    converted = convert(amount, rate, quote)

    assert converted.as_tuple().exponent == -exponent(quote)
    assert abs(converted - amount * value) <= quantum(quote) / 2


def test_converting_into_another_currency_than_the_rates_is_refused() -> None:
    with pytest.raises(MoneyError) as refused:
        convert(Decimal("1.00"), Rate("EUR", "USD", Decimal("1.05"), "test"), "GBP")
    assert refused.value.code == "rate_mismatch"


def rates_file(tmp_path: Path, data: object) -> Path:
    path = tmp_path / "rates.json"
    path.write_text(json.dumps(data))
    return path


def test_file_rates_give_direct_inverse_and_cross_rates(tmp_path: Path) -> None:
    path = rates_file(
        tmp_path,
        {"base": "EUR", "as_of": "2026-12-01", "source": "test file", "rates": {"USD": "1.0500", "JPY": "160"}},
    )
    provider = FileRates.from_file(path)

    assert provider.rate("EUR", "USD").value == Decimal("1.05")
    assert provider.rate("USD", "EUR").value == Decimal("0.9523809524")
    assert provider.rate("USD", "JPY").value == Decimal("152.3809523810")
    assert provider.rate("EUR", "EUR").value == 1
    assert str(provider.rate("EUR", "USD").as_of) == "2026-12-01"
    assert convert(Decimal("19.99"), provider.rate("EUR", "JPY"), "JPY") == Decimal("3198")
    with pytest.raises(MoneyError) as missing:
        provider.rate("EUR", "GBP")
    assert missing.value.code == "rate_unavailable"


@pytest.mark.parametrize(
    "data",
    [
        [],
        {"base": "EUR"},
        {"base": "EURO", "rates": {}},
        {"base": "EUR", "rates": {"USD": "-1"}},
        {"base": "EUR", "rates": {"USD": "0"}},
        {"base": "EUR", "rates": {"USD": "many"}},
        {"base": "EUR", "rates": {"USD": "Infinity"}},
        {"base": "EUR", "rates": {"XAU": "0.0004"}},
        {"base": "EUR", "as_of": "yesterday", "rates": {"USD": "1.05"}},
    ],
)
def test_a_rates_file_that_is_wrong_is_refused_with_its_reason(tmp_path: Path, data: object) -> None:
    with pytest.raises(MoneyError) as refused:
        FileRates.from_file(rates_file(tmp_path, data))
    assert refused.value.code in {"invalid_rate", "invalid_currency"}
    assert "rates.json" in str(refused.value)


def test_a_stores_own_rates_come_first_both_ways() -> None:
    provider = FileRates.from_mapping({"base": "EUR", "rates": {"USD": "1.05", "GBP": "0.85"}})
    store = OverriddenRates(provider, {("EUR", "USD"): Decimal("1.10")})

    assert store.rate("EUR", "USD") == Rate("EUR", "USD", Decimal("1.10"), "store override")
    assert store.rate("USD", "EUR").value == Decimal("0.9090909091")
    assert store.rate("EUR", "GBP").value == Decimal("0.85")  # not overridden: the file's
