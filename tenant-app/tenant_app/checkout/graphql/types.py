"""GraphQL types of carts: built from the same reads as REST (amounts with the currency's own decimals)."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal

import strawberry

from tenant_app.catalog.graphql.types import MoneyType
from tenant_app.checkout import selectors
from tenant_app.checkout.models import Cart
from tenantry_kernel.money import quantum


def _money(amount: Decimal, currency: str) -> MoneyType:
    return MoneyType(amount=amount.quantize(quantum(currency)), currency=currency)


@strawberry.type(name="CartLine")
class CartLineType:
    id: int
    variant_id: int
    sku: str
    quantity: int
    unit_price: MoneyType
    rate: Decimal | None
    total: MoneyType


@strawberry.type(name="CartTotals")
class CartTotalsType:
    subtotal: MoneyType
    discount: MoneyType
    shipping: MoneyType
    tax: MoneyType
    total: MoneyType
    prices_include_tax: bool


@strawberry.type(name="Cart", description="A shopper's cart: a guest's (held by its token) or a signed-in user's.")
class CartType:
    id: uuid.UUID
    status: str
    currency: str
    language: str
    email: str
    voucher: str | None
    lines: list[CartLineType]
    totals: CartTotalsType
    order_id: uuid.UUID | None
    updated_at: datetime

    @classmethod
    def of(cls, cart: Cart) -> CartType:
        lines = selectors.lines_of(cart)
        totals = selectors.totals_of(cart, lines)
        by_key = {line.key: line for line in totals.lines}
        currency = cart.currency
        return cls(
            id=cart.pk,
            status=cart.status,
            currency=currency,
            language=cart.language,
            email=cart.email,
            voucher=cart.voucher.code if cart.voucher is not None else None,
            lines=[
                CartLineType(
                    id=line.pk,
                    variant_id=line.variant_id,
                    sku=line.variant.sku,
                    quantity=line.quantity,
                    unit_price=_money(line.unit_price, currency),
                    rate=line.rate,
                    total=_money(by_key[str(line.pk)].gross, currency),
                )
                for line in lines
            ],
            totals=CartTotalsType(
                subtotal=_money(totals.subtotal, currency),
                discount=_money(totals.discount, currency),
                shipping=_money(totals.shipping_gross, currency),
                tax=_money(totals.tax, currency),
                total=_money(totals.gross, currency),
                prices_include_tax=totals.prices_include_tax,
            ),
            order_id=cart.order_id,
            updated_at=cart.updated_at,
        )


@strawberry.type(name="NewCart")
class NewCartType:
    cart: CartType
    token: str | None = strawberry.field(description="A guest cart's token, shown once; null when signed in.")


@strawberry.type(name="CheckoutOrder")
class CheckoutOrderType:
    id: uuid.UUID
    status: str
    total: MoneyType
    replayed: bool = strawberry.field(description="True when this Idempotency-Key completed the checkout before.")
