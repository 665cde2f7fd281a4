"""A cart's money, computed without the database: lines, a voucher, shipping and tax, in one currency.

Every figure is computed in full precision and rounded to the currency's minor unit once, where it becomes an
amount someone sees (tenantry_kernel.money's rule, ROUND_HALF_UP): a voucher's discount once, its share of each
line by `allocate` (so the shares add up to the discount exactly), each line's tax once. Sums of rounded amounts
are exact, so the totals balance to the minor unit by construction: the lines add up to the subtotal, the
discount shares to the discount, net + tax to gross — whether prices include tax or not.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, localcontext
from enum import StrEnum

from tenantry_kernel.money import MoneyError, allocate, is_rounded, round_money, total

HUNDRED = Decimal(100)


class VoucherKind(StrEnum):
    PERCENTAGE = "percentage"  # `value` percent of the subtotal
    FIXED = "fixed"  # `value` in `currency`, at most the subtotal


class TotalsError(ValueError):
    """Input the money rules refuse; `code` says which (a problem code of the checkout app)."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class LineInput:
    key: str  # what the line is (a variant id, a cart line id): totals keep the caller's order and keys
    quantity: int
    unit_price: Decimal  # in the cart's currency, already rounded to its minor unit


@dataclass(frozen=True)
class VoucherTerms:
    code: str
    kind: VoucherKind
    value: Decimal  # percent (0 < value <= 100) or an amount in `currency`
    currency: str | None = None  # fixed vouchers only
    min_spend: Decimal | None = None  # in the cart's currency; the subtotal before discount must reach it


@dataclass(frozen=True)
class LineTotal:
    key: str
    quantity: int
    unit_price: Decimal
    subtotal: Decimal  # unit price times quantity
    discount: Decimal  # this line's share of the voucher
    net: Decimal
    tax: Decimal
    gross: Decimal


@dataclass(frozen=True)
class Totals:
    currency: str
    lines: tuple[LineTotal, ...]
    subtotal: Decimal  # the lines before discount
    discount: Decimal
    shipping_net: Decimal
    shipping_tax: Decimal
    shipping_gross: Decimal
    net: Decimal  # lines and shipping, without tax
    tax: Decimal
    gross: Decimal  # what the shopper pays
    tax_rate: Decimal  # percent
    prices_include_tax: bool


def _tax_split(amount: Decimal, rate: Decimal, currency: str, *, inclusive: bool) -> tuple[Decimal, Decimal, Decimal]:
    """(net, tax, gross) of a rounded amount at `rate` percent; the tax is rounded once and the rest follows."""
    with localcontext() as context:
        context.prec = 50
        if inclusive:
            tax = round_money(amount * rate / (HUNDRED + rate), currency)
            return amount - tax, tax, amount
        tax = round_money(amount * rate / HUNDRED, currency)
        return amount, tax, amount + tax


def voucher_discount(voucher: VoucherTerms, subtotal: Decimal, currency: str) -> Decimal:
    """What the voucher takes off `subtotal` (rounded once, never more than the subtotal), or TotalsError."""
    if voucher.min_spend is not None and subtotal < voucher.min_spend:
        message = f"Voucher {voucher.code} needs a subtotal of at least {voucher.min_spend} {currency}."
        raise TotalsError(message, "voucher_min_spend")
    if voucher.kind == VoucherKind.PERCENTAGE:
        if not Decimal(0) < voucher.value <= HUNDRED:
            raise TotalsError(
                f"Voucher {voucher.code}: a percentage is more than 0 and at most 100.", "invalid_voucher"
            )
        with localcontext() as context:
            context.prec = 50
            return round_money(subtotal * voucher.value / HUNDRED, currency)
    if voucher.currency != currency:
        message = f"Voucher {voucher.code} is worth {voucher.currency}; this cart is in {currency}."
        raise TotalsError(message, "voucher_currency")
    if voucher.value <= 0 or not is_rounded(voucher.value, currency):
        raise TotalsError(f"Voucher {voucher.code}: {voucher.value} is not an amount of {currency}.", "invalid_voucher")
    return min(voucher.value, subtotal)


def compute_totals(
    lines: Sequence[LineInput],
    currency: str,
    *,
    voucher: VoucherTerms | None = None,
    shipping: Decimal = Decimal(0),
    tax_rate: Decimal = Decimal(0),
    prices_include_tax: bool = False,
) -> Totals:
    """The cart's totals. Prices (unit prices, shipping) are gross when `prices_include_tax`, else net."""
    try:
        for line in lines:
            if line.quantity < 1:
                raise TotalsError(f"Line {line.key}: the quantity must be at least 1.", "invalid_quantity")
            if line.unit_price < 0 or not is_rounded(line.unit_price, currency):
                raise TotalsError(f"Line {line.key}: {line.unit_price} is not a price in {currency}.", "invalid_price")
        if shipping < 0 or not is_rounded(shipping, currency):
            raise TotalsError(f"{shipping} is not a shipping price in {currency}.", "invalid_price")
        if tax_rate < 0 or tax_rate > HUNDRED:
            raise TotalsError(f"A tax rate of {tax_rate}% is not between 0 and 100.", "invalid_tax_rate")
        line_subtotals = [line.unit_price * line.quantity for line in lines]
        subtotal = total(line_subtotals, currency)
        discount = voucher_discount(voucher, subtotal, currency) if voucher else total([], currency)
        shares = allocate(discount, line_subtotals, currency) if discount > 0 else [total([], currency) for _ in lines]
        priced: list[LineTotal] = []
        for line, line_subtotal, share in zip(lines, line_subtotals, shares, strict=True):
            net, tax, gross = _tax_split(line_subtotal - share, tax_rate, currency, inclusive=prices_include_tax)
            priced.append(LineTotal(line.key, line.quantity, line.unit_price, line_subtotal, share, net, tax, gross))
        shipping_net, shipping_tax, shipping_gross = _tax_split(
            shipping, tax_rate, currency, inclusive=prices_include_tax
        )
    except MoneyError as exc:
        raise TotalsError(str(exc), exc.code) from exc
    net = total([line.net for line in priced] + [shipping_net], currency)
    tax = total([line.tax for line in priced] + [shipping_tax], currency)
    return Totals(
        currency=currency,
        lines=tuple(priced),
        subtotal=subtotal,
        discount=discount,
        shipping_net=shipping_net,
        shipping_tax=shipping_tax,
        shipping_gross=shipping_gross,
        net=net,
        tax=tax,
        gross=net + tax,
        tax_rate=tax_rate,
        prices_include_tax=prices_include_tax,
    )
