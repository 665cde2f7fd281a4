"""Reads of carts: finding a shopper's cart, its shipping options, and its totals (tenant_app.checkout.totals)."""

from __future__ import annotations

import hashlib
from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet

from tenant_app.checkout import totals as money_totals
from tenant_app.checkout.models import (
    Cart,
    CartLine,
    CartStatus,
    CheckoutSettings,
    ShippingMethod,
    TaxRate,
    Voucher,
)


def token_hash(token: str) -> str:
    """What the database keeps of a guest's cart token (the token itself is shown once and never stored)."""
    return hashlib.sha256(token.encode()).hexdigest()


def cart_by_id(cart_id: Any, *, token: str | None, user: Any) -> Cart | None:
    """The cart `cart_id` if the caller holds it: its guest token, or it is the signed-in user's own."""
    owner = Q()
    if token:
        owner |= Q(token_hash=token_hash(token))
    if user is not None and getattr(user, "is_authenticated", False):
        owner |= Q(user_id=user.pk)
    if not owner:
        return None
    return Cart.objects.filter(owner, pk=cart_id).first()


def lines_of(cart: Cart) -> list[CartLine]:
    return list(cart.lines.select_related("variant", "variant__product").order_by("id"))


def country_of(cart: Cart) -> str:
    return str(cart.shipping_address.get("country", "")) if cart.shipping_address else ""


def weight_of(lines: list[CartLine]) -> int:
    return sum(line.variant.weight_grams * line.quantity for line in lines)


def shipping_methods_for(country: str, weight_grams: int, currency: str) -> QuerySet[ShippingMethod]:
    """Active methods whose zone covers `country`, whose weight range holds the parcel, priced in `currency`."""
    return (
        ShippingMethod.objects.filter(
            active=True,
            zone__countries__contains=[country],
            min_weight_grams__lte=weight_grams,
            prices__currency=currency,
        )
        .filter(Q(max_weight_grams__isnull=True) | Q(max_weight_grams__gte=weight_grams))
        .order_by("id")
    )


def shipping_price(method: ShippingMethod, currency: str) -> Decimal | None:
    price = method.prices.filter(currency=currency).first()
    return None if price is None else price.amount


def tax_rate_of(country: str) -> Decimal:
    """The store's tax rate (percent) for `country`; 0 where it has none."""
    found = TaxRate.objects.filter(country=country).values_list("rate", flat=True).first()
    return Decimal(0) if found is None else found


def voucher_terms(voucher: Voucher) -> money_totals.VoucherTerms:
    return money_totals.VoucherTerms(
        voucher.code,
        money_totals.VoucherKind(voucher.kind),
        voucher.value,
        voucher.currency or None,
        voucher.min_spend,
    )


def totals_of(cart: Cart, lines: list[CartLine] | None = None, *, strict: bool = False) -> money_totals.Totals:
    """The cart's totals at its snapshot prices, its shipping method's price and its country's tax.

    A voucher the cart no longer qualifies for (below its minimum spend) is left out, or with `strict`
    (completion) refused with TotalsError."""
    lines = lines_of(cart) if lines is None else lines
    try:
        return _totals(cart, lines, with_voucher=True)
    except money_totals.TotalsError as exc:
        if strict or cart.voucher is None or exc.code not in ("voucher_min_spend", "voucher_currency"):
            raise
        return _totals(cart, lines, with_voucher=False)


def _totals(cart: Cart, lines: list[CartLine], *, with_voucher: bool) -> money_totals.Totals:
    shipping = Decimal(0)
    if cart.shipping_method is not None:
        shipping = shipping_price(cart.shipping_method, cart.currency) or Decimal(0)
    return money_totals.compute_totals(
        [money_totals.LineInput(str(line.pk), line.quantity, line.unit_price) for line in lines],
        cart.currency,
        voucher=voucher_terms(cart.voucher) if with_voucher and cart.voucher is not None else None,
        shipping=shipping,
        tax_rate=tax_rate_of(country_of(cart)),
        prices_include_tax=CheckoutSettings.current().prices_include_tax,
    )


def is_open(cart: Cart) -> bool:
    return cart.status == CartStatus.OPEN
