"""The order ledger's events (types registered in tenantry_kernel.events.registry), one payload builder each.

The same payload is appended to the order's stream and emitted through the outbox, so the
ledger and other services read one shape.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from tenant_app.catalog.money import money

ORDER_PLACED = "order.placed"
ORDER_PAID = "order.paid"
ORDER_REFUNDED = "order.refunded"
ORDER_CANCELLED = "order.cancelled"
ORDER_PAYMENT_AUTHORIZED = "order.payment_authorized"
ORDER_PAYMENT_FAILED = "order.payment_failed"


@dataclass(frozen=True)
class OrderLine:
    product_id: str
    quantity: int
    unit_price: Decimal
    currency: str

    @property
    def amount(self) -> Decimal:
        return self.unit_price * self.quantity


@dataclass(frozen=True)
class CheckoutLine:
    """A line of an order placed by a checkout: which variant, and the price and rate the shopper saw."""

    product_id: str
    variant_id: str
    sku: str
    quantity: int
    unit_price: Decimal  # in the order's currency
    rate: Decimal | None  # the exchange rate that priced it (None: priced in that currency)
    discount: Decimal  # this line's share of the voucher
    tax: Decimal
    total: Decimal  # what the shopper pays for the line (after discount, with tax)


@dataclass(frozen=True)
class CheckoutCharges:
    """What a checkout adds to its lines, all in the order's currency."""

    currency: str
    shipping: Decimal  # gross
    discount: Decimal
    tax: Decimal  # of lines and shipping
    total: Decimal
    prices_include_tax: bool
    checkout_id: str
    email: str


def subject_of(order_id: str) -> str:
    """The CloudEvents subject: consumers order an order's events by it."""
    return f"order/{order_id}"


def order_placed(order_id: str, customer_id: str, lines: Sequence[OrderLine], total: Decimal) -> dict[str, Any]:
    return {
        "order_id": order_id,
        "customer_id": customer_id,
        "lines": [
            {
                "product_id": line.product_id,
                "quantity": line.quantity,
                "unit_price": money(line.unit_price, line.currency),
            }
            for line in lines
        ],
        "total": money(total, lines[0].currency),
    }


def order_paid(order_id: str, amount: Decimal, currency: str, payment_reference: str) -> dict[str, Any]:
    return {"order_id": order_id, "amount": money(amount, currency), "payment_reference": payment_reference}


def order_payment_authorized(order_id: str, amount: Decimal, currency: str, payment_reference: str) -> dict[str, Any]:
    return {"order_id": order_id, "amount": money(amount, currency), "payment_reference": payment_reference}


def order_payment_failed(order_id: str, payment_reference: str, reason: str) -> dict[str, Any]:
    return {"order_id": order_id, "payment_reference": payment_reference, "reason": reason[:500]}


def order_refunded(order_id: str, amount: Decimal, currency: str, reason: str) -> dict[str, Any]:
    return {"order_id": order_id, "amount": money(amount, currency), "reason": reason}


def order_cancelled(order_id: str, reason: str) -> dict[str, Any]:
    return {"order_id": order_id, "reason": reason}


def checkout_order_placed(
    order_id: str, customer_id: str, lines: Sequence[CheckoutLine], charges: CheckoutCharges
) -> dict[str, Any]:
    """order.placed for a checkout: the plain payload plus each line's variant and rate, and the charges."""
    currency = charges.currency
    return {
        "order_id": order_id,
        "customer_id": customer_id,
        "lines": [
            {
                "product_id": line.product_id,
                "quantity": line.quantity,
                "unit_price": money(line.unit_price, currency),
                "variant_id": line.variant_id,
                "sku": line.sku,
                "rate": None if line.rate is None else format(line.rate, "f"),
                "discount": money(line.discount, currency),
                "tax": money(line.tax, currency),
                "total": money(line.total, currency),
            }
            for line in lines
        ],
        "total": money(charges.total, currency),
        "checkout": {
            "checkout_id": charges.checkout_id,
            "email": charges.email,
            "shipping": money(charges.shipping, currency),
            "discount": money(charges.discount, currency),
            "tax": money(charges.tax, currency),
            "prices_include_tax": charges.prices_include_tax,
        },
    }
