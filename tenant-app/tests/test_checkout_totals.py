"""Checkout totals without a database: for any lines, voucher, shipping and tax rate, in 0-, 2- and 3-decimal
currencies, the figures balance to the minor unit (hypothesis), with examples for the rules' edges."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tenant_app.checkout.totals import (
    LineInput,
    Totals,
    TotalsError,
    VoucherKind,
    VoucherTerms,
    compute_totals,
)
from tenantry_kernel.money import FileRates, convert, exponent, is_rounded, quantum

CURRENCIES = ["JPY", "EUR", "KWD"]  # 0, 2 and 3 decimals


@st.composite
def carts(draw: st.DrawFn) -> tuple[str, list[LineInput], Decimal]:
    currency = draw(st.sampled_from(CURRENCIES))
    places = exponent(currency)
    count = draw(st.integers(min_value=1, max_value=8))
    lines = [
        LineInput(
            f"line-{i}",
            draw(st.integers(min_value=1, max_value=50)),
            Decimal(draw(st.integers(min_value=0, max_value=10**7))).scaleb(-places),
        )
        for i in range(count)
    ]
    shipping = Decimal(draw(st.integers(min_value=0, max_value=10**5))).scaleb(-places)
    return currency, lines, shipping


tax_rates = st.decimals(min_value=0, max_value=30, places=3)
percentages = st.decimals(min_value=Decimal("0.01"), max_value=100, places=2)


def assert_balanced(totals: Totals) -> None:
    currency = totals.currency
    figures = [totals.subtotal, totals.discount, totals.net, totals.tax, totals.gross, totals.shipping_gross]
    for line in totals.lines:
        figures += [line.subtotal, line.discount, line.net, line.tax, line.gross]
        assert line.net + line.tax == line.gross
        assert line.subtotal == line.unit_price * line.quantity
    assert all(is_rounded(figure, currency) and figure >= 0 for figure in figures), totals
    assert sum(line.subtotal for line in totals.lines) == totals.subtotal
    assert sum(line.discount for line in totals.lines) == totals.discount
    assert totals.discount <= totals.subtotal
    assert sum(line.gross for line in totals.lines) + totals.shipping_gross == totals.gross
    assert sum(line.tax for line in totals.lines) + totals.shipping_tax == totals.tax
    assert totals.net + totals.tax == totals.gross
    assert totals.shipping_net + totals.shipping_tax == totals.shipping_gross


@given(carts(), tax_rates, st.booleans(), percentages)
def test_percentage_vouchers_balance_to_the_minor_unit(
    cart: tuple[str, list[LineInput], Decimal], rate: Decimal, inclusive: bool, percent: Decimal
) -> None:
    currency, lines, shipping = cart
    voucher = VoucherTerms("TEN", VoucherKind.PERCENTAGE, percent)

    totals = compute_totals(
        lines, currency, voucher=voucher, shipping=shipping, tax_rate=rate, prices_include_tax=inclusive
    )

    assert_balanced(totals)
    exact = totals.subtotal * percent / 100
    assert abs(totals.discount - exact) <= quantum(currency) / 2


@given(carts(), tax_rates, st.booleans(), st.integers(min_value=1, max_value=10**8))
def test_fixed_vouchers_never_take_more_than_the_subtotal(
    cart: tuple[str, list[LineInput], Decimal], rate: Decimal, inclusive: bool, units: int
) -> None:
    currency, lines, shipping = cart
    value = Decimal(units).scaleb(-exponent(currency))
    voucher = VoucherTerms("FIX", VoucherKind.FIXED, value, currency)

    totals = compute_totals(
        lines, currency, voucher=voucher, shipping=shipping, tax_rate=rate, prices_include_tax=inclusive
    )

    assert_balanced(totals)
    assert totals.discount == min(value, totals.subtotal)


@given(carts(), tax_rates)
def test_inclusive_prices_keep_the_gross_and_exclusive_prices_keep_the_net(
    cart: tuple[str, list[LineInput], Decimal], rate: Decimal
) -> None:
    currency, lines, shipping = cart

    inclusive = compute_totals(lines, currency, shipping=shipping, tax_rate=rate, prices_include_tax=True)
    exclusive = compute_totals(lines, currency, shipping=shipping, tax_rate=rate, prices_include_tax=False)

    assert_balanced(inclusive)
    assert_balanced(exclusive)
    assert inclusive.gross == exclusive.net == inclusive.subtotal + shipping
    assert inclusive.tax <= exclusive.tax


@given(
    st.sampled_from(CURRENCIES),
    st.sampled_from(CURRENCIES),
    st.lists(st.integers(min_value=0, max_value=10**6), min_size=1, max_size=6),
    st.decimals(min_value=Decimal("0.0001"), max_value=1000, places=4),
)
def test_converted_prices_are_whole_minor_units_and_balance(
    base: str, currency: str, units: list[int], value: Decimal
) -> None:
    # Given prices in the base currency and a store's rate to the cart's currency
    rates = FileRates(base, {currency: value} if currency != base else {}, "test rates")
    rate = rates.rate(base, currency)
    prices = [Decimal(unit).scaleb(-exponent(base)) for unit in units]

    # When each unit price is converted once and the cart is totalled
    lines = [LineInput(str(i), 3, convert(price, rate, currency)) for i, price in enumerate(prices)]
    totals = compute_totals(lines, currency, tax_rate=Decimal(19))

    # Then every converted price is a whole number of minor units and the cart balances
    assert all(is_rounded(line.unit_price, currency) for line in lines)
    assert_balanced(totals)


def test_a_discount_is_rounded_once_half_up_and_shared_by_largest_remainder() -> None:
    lines = [LineInput("a", 1, Decimal("0.05")), LineInput("b", 1, Decimal("0.05")), LineInput("c", 1, Decimal("0.05"))]

    totals = compute_totals(lines, "EUR", voucher=VoucherTerms("HALF", VoucherKind.PERCENTAGE, Decimal(50)))

    # 50% of 0.15 is 0.075 → 0.08 (half up), shared 0.03 / 0.03 / 0.02
    assert totals.discount == Decimal("0.08")
    assert [line.discount for line in totals.lines] == [Decimal("0.03"), Decimal("0.03"), Decimal("0.02")]
    assert totals.gross == Decimal("0.07")


def test_taxes_inclusive_and_exclusive_examples() -> None:
    lines = [LineInput("a", 2, Decimal("11.90"))]

    inclusive = compute_totals(lines, "EUR", shipping=Decimal("5.95"), tax_rate=Decimal(19), prices_include_tax=True)
    exclusive = compute_totals(lines, "EUR", shipping=Decimal("5.00"), tax_rate=Decimal(19))

    assert (inclusive.net, inclusive.tax, inclusive.gross) == (Decimal("25.00"), Decimal("4.75"), Decimal("29.75"))
    assert (exclusive.net, exclusive.tax, exclusive.gross) == (Decimal("28.80"), Decimal("5.47"), Decimal("34.27"))


def test_a_zero_decimal_currency_has_no_fractions() -> None:
    totals = compute_totals(
        [LineInput("a", 3, Decimal(333))], "JPY", voucher=VoucherTerms("X", VoucherKind.PERCENTAGE, Decimal(10))
    )

    assert (totals.subtotal, totals.discount, totals.gross) == (Decimal(999), Decimal(100), Decimal(899))


@pytest.mark.parametrize(
    ("lines", "voucher", "code"),
    [
        ([LineInput("a", 0, Decimal(1))], None, "invalid_quantity"),
        ([LineInput("a", -2, Decimal(1))], None, "invalid_quantity"),
        ([LineInput("a", 1, Decimal("-1.00"))], None, "invalid_price"),
        ([LineInput("a", 1, Decimal("1.005"))], None, "invalid_price"),
        (
            [LineInput("a", 1, Decimal("10"))],
            VoucherTerms("USD5", VoucherKind.FIXED, Decimal(5), "USD"),
            "voucher_currency",
        ),
        (
            [LineInput("a", 1, Decimal("10"))],
            VoucherTerms("BIG", VoucherKind.PERCENTAGE, Decimal(10), min_spend=Decimal(50)),
            "voucher_min_spend",
        ),
        (
            [LineInput("a", 1, Decimal("10"))],
            VoucherTerms("ODD", VoucherKind.PERCENTAGE, Decimal(150)),
            "invalid_voucher",
        ),
    ],
)
def test_refused_input_names_its_rule(lines: list[LineInput], voucher: VoucherTerms | None, code: str) -> None:
    with pytest.raises(TotalsError) as refused:
        compute_totals(lines, "EUR", voucher=voucher)

    assert refused.value.code == code


def test_an_unknown_currency_is_refused() -> None:
    with pytest.raises(TotalsError) as refused:
        compute_totals([LineInput("a", 1, Decimal(1))], "XYZ")

    assert refused.value.code == "invalid_currency"
