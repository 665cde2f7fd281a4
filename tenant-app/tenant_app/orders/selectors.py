"""Reads of the order ledger: summaries from the projection, an order's history from its stream."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from tenant_app.access.policy import Context, scope
from tenant_app.orders.ledger import Order
from tenant_app.orders.models import OrderSummary
from tenantry_kernel.events.store import RecordedEvent, read_stream


def visible_orders(user: Any, context: Context | None = None) -> QuerySet[OrderSummary]:
    """The orders `user` may see (customers: their own, by the seeded policy), newest first."""
    return scope(user, "orders.view", OrderSummary.objects.order_by("-placed_at", "-id"), context)


def history_of(summary: OrderSummary) -> list[RecordedEvent]:
    """Every event of the order, oldest first."""
    return read_stream(Order(str(summary.pk)).stream_id)
