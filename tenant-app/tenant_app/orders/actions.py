"""Every change of an order: authorized, decided by the Order aggregate, appended, projected and emitted.

Each action is one transaction: the events appended to the order's stream, the OrderSummary
row the projection keeps, and the outbox events other services react to commit together or
not at all. Concurrency is optimistic: the stream's version decides, so of two writers that
read the same version one appends and the other gets StreamConflict (409 `stream_conflict`) —
reload and decide again. Callers may pass the version they showed the user as
`expected_version`, and the action refuses if the order has moved on since.
Who did it and when travel in each stored event's metadata: the ledger is its own audit trail.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from rest_framework.exceptions import ErrorDetail, NotFound, ValidationError

from tenant_app.access.policy import Context, require
from tenant_app.accounts.models import User
from tenant_app.catalog.selectors import for_sale
from tenant_app.orders import events
from tenant_app.orders.events import CheckoutCharges, CheckoutLine, OrderLine
from tenant_app.orders.ledger import Order, OrderProjection, orders
from tenant_app.orders.models import OrderSummary
from tenantry_kernel.context import current_request_id
from tenantry_kernel.events.outbox import emit
from tenantry_kernel.events.store import StreamConflict


def _metadata(actor: User) -> dict[str, Any]:
    return {
        "actor_id": actor.pk,
        "occurred_at": datetime.now(UTC).isoformat(),
        "request_id": current_request_id() or "",
    }


def _commit(order: Order) -> OrderSummary:
    """Append the order's new events, project them and emit them, in the caller's transaction."""
    recorded = orders.save(order)  # StreamConflict when another writer got there first
    OrderProjection().handle(recorded)
    for event in recorded:
        emit(event.type, event.data, subject=events.subject_of(order.id))
    return OrderSummary.objects.get(pk=order.id)


def _loaded(summary: OrderSummary, expected_version: int | None) -> Order:
    order = orders.load(str(summary.pk))
    if order is None:  # a summary without a stream: only if someone wrote the read model by hand
        raise NotFound(f"Order {summary.pk} has no events.")
    if expected_version is not None and expected_version != order.version:
        raise StreamConflict(order.stream_id, expected_version)
    return order


def place_order(request: HttpRequest | None, actor: User, lines: Sequence[tuple[int, int]]) -> OrderSummary:
    """The actor orders `lines` (product id, quantity) of published products at today's prices."""
    require(actor, "orders.create", context=Context.of(request))
    products = for_sale(product_id for product_id, _ in lines)
    problems: list[dict[str, list[ErrorDetail]]] = []
    seen: set[int] = set()
    for product_id, _ in lines:
        problem = {}
        if product_id not in products:
            message = f"No product with the id {product_id} is for sale; pick a published product."
            problem["product"] = [ErrorDetail(message, "not_for_sale")]
        elif product_id in seen:
            problem["product"] = [ErrorDetail("List each product once, with its quantity.", "duplicate_product")]
        seen.add(product_id)
        problems.append(problem)
    if any(problems):
        raise ValidationError({"lines": problems})
    order_lines = [
        OrderLine(str(product_id), quantity, products[product_id].price_amount, products[product_id].price_currency)
        for product_id, quantity in lines
    ]
    order = Order(str(uuid.uuid4()))
    order.place(str(actor.pk), order_lines, _metadata(actor))
    with transaction.atomic():
        return _commit(order)


def pay_order(
    request: HttpRequest | None,
    actor: User,
    summary: OrderSummary,
    *,
    amount: Decimal,
    currency: str,
    payment_reference: str,
    expected_version: int | None = None,
) -> OrderSummary:
    """Record the payment of the order's total (captured elsewhere; `payment_reference` says where)."""
    require(actor, "orders.pay", summary, Context.of(request))
    with transaction.atomic():
        order = _loaded(summary, expected_version)
        order.pay(amount, currency, payment_reference, _metadata(actor))
        return _commit(order)


def refund_order(
    request: HttpRequest | None,
    actor: User,
    summary: OrderSummary,
    *,
    amount: Decimal,
    currency: str,
    reason: str = "",
    expected_version: int | None = None,
) -> OrderSummary:
    """Record giving back part or all of what was paid."""
    require(actor, "orders.refund", summary, Context.of(request))
    with transaction.atomic():
        order = _loaded(summary, expected_version)
        order.refund(amount, currency, reason, _metadata(actor))
        return _commit(order)


def cancel_order(
    request: HttpRequest | None,
    actor: User | None,
    summary: OrderSummary,
    *,
    reason: str = "",
    expected_version: int | None = None,
    source: str = "",
) -> OrderSummary:
    """Cancel an unpaid order, or one whose payment was refunded in full.

    `actor` None is a gateway's word (a failed or expired capture, tenant_app.payments): no permission is asked,
    and `source` names the gateway in the event's metadata."""
    if actor is not None:
        require(actor, "orders.cancel", summary, Context.of(request))
    metadata = _metadata(actor) if actor is not None else _gateway_metadata(None, source or "system")
    with transaction.atomic():
        order = _loaded(summary, expected_version)
        order.cancel(reason, metadata)
        cancelled = _commit(order)
        for hook in _cancellation_hooks:
            hook(cancelled)
        return cancelled


# ---- Orders placed by a checkout (tenant_app.checkout) ---------------------------------------
# The checkout decides prices, stock, voucher and shipping in its own transaction and calls this
# inside it, so the order and the checkout's changes commit together. Apps above orders that must
# act when an order is cancelled (the checkout returns its stock) register a hook: it runs in the
# cancellation's transaction, and orders need not know who listens.

CancellationHook = Callable[[OrderSummary], None]
_cancellation_hooks: list[CancellationHook] = []


def on_cancellation(hook: CancellationHook) -> None:
    """Run `hook(summary)` inside every cancellation's transaction (registered once, from an AppConfig.ready)."""
    if hook not in _cancellation_hooks:
        _cancellation_hooks.append(hook)


def place_checkout_order(
    customer_id: int | None, lines: Sequence[CheckoutLine], charges: CheckoutCharges, *, actor_id: int | None
) -> OrderSummary:
    """The order of a completed checkout (guests have no customer: id 0); call inside the checkout's transaction."""
    order = Order(str(uuid.uuid4()))
    metadata = {
        "actor_id": actor_id,
        "occurred_at": datetime.now(UTC).isoformat(),
        "request_id": current_request_id() or "",
        "source": "checkout",
    }
    data = events.checkout_order_placed(order.id, str(customer_id or 0), lines, charges)
    order.record(events.ORDER_PLACED, data, metadata)
    return _commit(order)


# ---- Payments through a gateway (tenant_app.payments) ---------------------------------------
# A gateway's word — a verified webhook, or its API's answer about a payment — is what decides here,
# not a user's permission: the payments app checks who may start, capture or refund a payment, and
# then records what the gateway did. `actor_id` is whoever set it off (None for a webhook);
# `source` says which gateway, and both travel in the event's metadata.


def _gateway_metadata(actor_id: int | None, source: str) -> dict[str, Any]:
    return {
        "actor_id": actor_id,
        "occurred_at": datetime.now(UTC).isoformat(),
        "request_id": current_request_id() or "",
        "source": source,
    }


def settle_payment(
    order_id: str, *, amount: Decimal, currency: str, payment_reference: str, actor_id: int | None, source: str
) -> OrderSummary:
    """The gateway captured `amount`: the order is paid (the Order's rules still apply: placed, exact total)."""
    with transaction.atomic():
        order = _loaded(OrderSummary.objects.get(pk=order_id), None)
        order.pay(amount, currency, payment_reference, _gateway_metadata(actor_id, source))
        return _commit(order)


def settle_refund(
    order_id: str, *, amount: Decimal, currency: str, reason: str, actor_id: int | None, source: str
) -> OrderSummary:
    """The gateway gave `amount` back."""
    with transaction.atomic():
        order = _loaded(OrderSummary.objects.get(pk=order_id), None)
        order.refund(amount, currency, reason, _gateway_metadata(actor_id, source))
        return _commit(order)


def authorize_payment(
    order_id: str, *, amount: Decimal, currency: str, payment_reference: str, actor_id: int | None, source: str
) -> OrderSummary:
    """The gateway holds `amount` (authorized, not captured): recorded; settle_payment follows on capture."""
    with transaction.atomic():
        order = _loaded(OrderSummary.objects.get(pk=order_id), None)
        order.authorize(amount, currency, payment_reference, _gateway_metadata(actor_id, source))
        return _commit(order)


def record_payment_failure(
    order_id: str, *, payment_reference: str, reason: str, actor_id: int | None, source: str
) -> OrderSummary:
    """The gateway declined a payment of the order, or its hold failed or expired (nothing was taken)."""
    with transaction.atomic():
        order = _loaded(OrderSummary.objects.get(pk=order_id), None)
        order.payment_failed(payment_reference, reason, _gateway_metadata(actor_id, source))
        return _commit(order)
