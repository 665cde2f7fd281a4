"""The order ledger: the `Order` aggregate (its rules), its repository, and the `OrderSummary` projection.

An order's life, and what each step allows next:

    placed ──pay──▶ paid ──refund──▶ partially_refunded ──refund──▶ refunded
      │               └────────────refund (all of it)─────────────────▲  │
      └──cancel──▶ cancelled ◀──────────────────cancel───────────────────┘

- authorize: while placed, a gateway holds exactly the outstanding total (`order.payment_authorized`); the order
  stays placed (nothing is taken yet) until the capture pays it. A declined payment, or a hold that failed or
  expired, is `order.payment_failed` (the hold is gone; the order is still placed, to pay again or be cancelled).
- pay: once, while placed, exactly the order's total in its currency (no partial payments yet).
- refund: while paid or partly refunded, any positive amount up to what was paid and not yet refunded.
- cancel: before payment, or after the payment went back in full — never while money is held,
  so cancelling can never strand a payment. A cancelled order takes no further step.

A step that the order's state does not allow is a 409 with a code saying which step
(`order_not_payable`, `order_not_refundable`, `order_not_cancellable`); a wrong amount is a
400 on the `amount` field (`amount_mismatch`, `refund_exceeds_payment`, `invalid_amount`).

Money has its currency's ISO 4217 exponent (tenantry_kernel.money): 1200 JPY, 12.50 EUR, 1.250 KWD. The ledger
never rounds: an amount with more decimals than its currency has is refused (`invalid_amount`), and events carry
amounts exactly as recorded.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db.models import Case, F, Value, When
from rest_framework.exceptions import ErrorDetail, ValidationError

from tenant_app.orders import events
from tenant_app.orders.events import OrderLine
from tenant_app.orders.models import OrderStatus, OrderSummary
from tenantry_kernel.events.store import Aggregate, Handler, Projection, RecordedEvent, Repository
from tenantry_kernel.money import MoneyError, exponent, is_rounded, quantum
from tenantry_kernel.web.exceptions import Conflict

STREAM_PREFIX = "order"
# What the events' money pattern (12 integer digits) and OrderSummary's columns (15 digits, 3 decimals) hold.
INTEGER_DIGITS = 12


def max_total(currency: str) -> Decimal:
    """The largest total of an order in `currency`: 999999999999.99 EUR, 999999999999 JPY, 999999999999.999 KWD."""
    return Decimal(10**INTEGER_DIGITS) - quantum(currency)


# Snapshots every this many events: orders are short streams, so this mostly shows the mechanism
# (an order with many partial refunds); the billing ledger's long streams are what it is for.
SNAPSHOT_EVERY = 20


def _amount_error(message: str, code: str) -> ValidationError:
    return ValidationError({"amount": [ErrorDetail(message, code)]})


def _check_rounded(amount: Decimal, currency: str, field: str = "amount") -> None:
    """A whole number of the currency's minor units, else 400 `invalid_amount` (the ledger never rounds)."""
    try:
        places = exponent(currency)
    except MoneyError as exc:
        raise ValidationError({field: [ErrorDetail(str(exc), exc.code)]}) from exc
    if not is_rounded(amount, currency):
        message = f"{amount} {currency} is not a whole number of minor units: {currency} has {places} decimals."
        raise ValidationError({field: [ErrorDetail(message, "invalid_amount")]})


class Order(Aggregate):
    stream_prefix = STREAM_PREFIX
    snapshot_every = SNAPSHOT_EVERY

    def __init__(self, aggregate_id: str) -> None:
        super().__init__(aggregate_id)
        self.status = ""  # not placed yet
        self.customer_id = ""
        self.currency = ""
        self.lines: list[dict[str, Any]] = []
        self.total = self.paid = self.refunded = self.authorized = Decimal(0)

    # ---- Commands: check the rules, then record what happened ------------------------------

    def place(self, customer_id: str, lines: Sequence[OrderLine], metadata: dict[str, Any]) -> None:
        if self.status:
            raise Conflict(f"Order {self.id} was placed already.", code="order_exists")
        if not lines:
            raise ValidationError({"lines": [ErrorDetail("An order needs at least one line.", "empty_order")]})
        if len({line.currency for line in lines}) > 1:
            message = "All products of one order must be priced in one currency; place one order per currency."
            raise ValidationError({"lines": [ErrorDetail(message, "mixed_currencies")]})
        currency = lines[0].currency
        for line in lines:
            _check_rounded(line.unit_price, currency, "lines")
        total = sum((line.amount for line in lines), Decimal(0))
        if total > max_total(currency):
            message = f"The order's total {total} exceeds {max_total(currency)}; split it into several orders."
            raise ValidationError({"lines": [ErrorDetail(message, "total_too_large")]})
        self.record(events.ORDER_PLACED, events.order_placed(self.id, customer_id, lines, total), metadata)

    def authorize(self, amount: Decimal, currency: str, payment_reference: str, metadata: dict[str, Any]) -> None:
        """A gateway holds the outstanding total; nothing is taken yet."""
        self._check_payable(amount, currency)
        data = events.order_payment_authorized(self.id, amount, currency, payment_reference)
        self.record(events.ORDER_PAYMENT_AUTHORIZED, data, metadata)

    def payment_failed(self, payment_reference: str, reason: str, metadata: dict[str, Any]) -> None:
        """A payment of this order was declined, or its hold failed or expired (nothing was taken)."""
        if self.status != OrderStatus.PLACED:
            raise Conflict(f"Order {self.id} is {self.status}; only a placed order is paid.", code="order_not_payable")
        self.record(
            events.ORDER_PAYMENT_FAILED, events.order_payment_failed(self.id, payment_reference, reason), metadata
        )

    def pay(self, amount: Decimal, currency: str, payment_reference: str, metadata: dict[str, Any]) -> None:
        self._check_payable(amount, currency)
        self.record(events.ORDER_PAID, events.order_paid(self.id, amount, currency, payment_reference), metadata)

    def _check_payable(self, amount: Decimal, currency: str) -> None:
        if self.status != OrderStatus.PLACED:
            raise Conflict(f"Order {self.id} is {self.status}; only a placed order is paid.", code="order_not_payable")
        _check_rounded(amount, currency)
        if currency != self.currency or amount != self.total - self.paid:
            outstanding = f"{self.total - self.paid} {self.currency}"
            raise _amount_error(f"The payment must be the outstanding {outstanding}.", "amount_mismatch")

    def refund(self, amount: Decimal, currency: str, reason: str, metadata: dict[str, Any]) -> None:
        if self.status not in (OrderStatus.PAID, OrderStatus.PARTIALLY_REFUNDED):
            raise Conflict(
                f"Order {self.id} is {self.status}; only a paid order is refunded.", code="order_not_refundable"
            )
        _check_rounded(amount, currency)
        refundable = self.paid - self.refunded
        if currency != self.currency or not Decimal(0) < amount <= refundable:
            message = f"A refund is more than 0 and at most the {refundable} {self.currency} paid and not refunded."
            raise _amount_error(message, "refund_exceeds_payment")
        self.record(events.ORDER_REFUNDED, events.order_refunded(self.id, amount, currency, reason), metadata)

    def cancel(self, reason: str, metadata: dict[str, Any]) -> None:
        if self.status not in (OrderStatus.PLACED, OrderStatus.REFUNDED):
            message = f"Order {self.id} is {self.status}; cancel before payment, or after refunding all of it."
            raise Conflict(message, code="order_not_cancellable")
        self.record(events.ORDER_CANCELLED, events.order_cancelled(self.id, reason), metadata)

    # ---- State from events ------------------------------------------------------------------

    def apply(self, type_name: str, data: dict[str, Any]) -> None:
        if type_name == events.ORDER_PLACED:
            self.status, self.customer_id = OrderStatus.PLACED, data["customer_id"]
            self.lines, self.total, self.currency = data["lines"], *_money(data["total"])
        elif type_name == events.ORDER_PAYMENT_AUTHORIZED:
            self.authorized = _money(data["amount"])[0]
        elif type_name == events.ORDER_PAYMENT_FAILED:
            self.authorized = Decimal(0)
        elif type_name == events.ORDER_PAID:
            self.paid += _money(data["amount"])[0]
            self.authorized = Decimal(0)
            self.status = OrderStatus.PAID
        elif type_name == events.ORDER_REFUNDED:
            self.refunded += _money(data["amount"])[0]
            self.status = OrderStatus.REFUNDED if self.refunded == self.paid else OrderStatus.PARTIALLY_REFUNDED
        elif type_name == events.ORDER_CANCELLED:
            self.status = OrderStatus.CANCELLED
        else:
            raise ValueError(f"an order's stream holds no {type_name!r} events")

    def snapshot(self) -> dict[str, Any]:
        return {
            "status": str(self.status),
            "customer_id": self.customer_id,
            "currency": self.currency,
            "lines": self.lines,
            "total": str(self.total),
            "paid": str(self.paid),
            "refunded": str(self.refunded),
            "authorized": str(self.authorized),
        }

    def restore(self, state: dict[str, Any]) -> None:
        self.status, self.customer_id, self.currency = state["status"], state["customer_id"], state["currency"]
        self.lines = state["lines"]
        self.total, self.paid, self.refunded = (Decimal(state[key]) for key in ("total", "paid", "refunded"))
        self.authorized = Decimal(state.get("authorized", "0"))  # snapshots from before authorizations: none


def _money(value: dict[str, Any]) -> tuple[Decimal, str]:
    """An event's money object, exactly as recorded (checked when it was recorded; never rounded here)."""
    return Decimal(value["amount"]), value["currency"]


orders = Repository(Order)


def _occurred_at(event: RecordedEvent) -> datetime:
    """When it happened, as the action wrote it in the event's metadata (the store keeps no time per event)."""
    return datetime.fromisoformat(event.metadata["occurred_at"])


class OrderProjection(Projection):
    """Keeps OrderSummary: fed live by the order actions in their transaction, or rebuilt by `replay()`."""

    stream_prefix = f"{STREAM_PREFIX}-"

    def handlers(self) -> dict[str, Handler]:
        return {
            events.ORDER_PLACED: self.placed,
            events.ORDER_PAYMENT_AUTHORIZED: self.payment_authorized,
            events.ORDER_PAYMENT_FAILED: self.payment_failed,
            events.ORDER_PAID: self.paid,
            events.ORDER_REFUNDED: self.refunded,
            events.ORDER_CANCELLED: self.cancelled,
        }

    def reset(self) -> None:
        OrderSummary.objects.all().delete()

    def placed(self, event: RecordedEvent) -> None:
        total, currency = _money(event.data["total"])
        at = _occurred_at(event)
        OrderSummary.objects.create(
            id=event.data["order_id"],
            customer_id=int(event.data["customer_id"]),
            status=OrderStatus.PLACED,
            currency=currency,
            total=total,
            paid=Decimal(0),
            refunded=Decimal(0),
            authorized=Decimal(0),
            lines=event.data["lines"],
            placed_at=at,
            updated_at=at,
            version=event.version,
        )

    # One UPDATE each, from the row's own columns: no read first.

    def payment_authorized(self, event: RecordedEvent) -> None:
        self._update(event, authorized=_money(event.data["amount"])[0])

    def payment_failed(self, event: RecordedEvent) -> None:
        self._update(event, authorized=Decimal(0))

    def paid(self, event: RecordedEvent) -> None:
        amount = _money(event.data["amount"])[0]
        self._update(event, status=OrderStatus.PAID, paid=F("paid") + amount, authorized=Decimal(0))

    def refunded(self, event: RecordedEvent) -> None:
        amount = _money(event.data["amount"])[0]
        all_of_it = When(paid=F("refunded") + amount, then=Value(OrderStatus.REFUNDED))
        status = Case(all_of_it, default=Value(OrderStatus.PARTIALLY_REFUNDED))
        self._update(event, status=status, refunded=F("refunded") + amount)

    def cancelled(self, event: RecordedEvent) -> None:
        self._update(event, status=OrderStatus.CANCELLED)

    def _update(self, event: RecordedEvent, **changes: Any) -> None:
        updated = OrderSummary.objects.filter(pk=event.data["order_id"]).update(
            **changes, updated_at=_occurred_at(event), version=event.version
        )
        if updated != 1:
            raise LookupError(f"{event.stream_id}@{event.version} ({event.type}) has no order.placed before it")
