from __future__ import annotations

import uuid
from typing import Any

import strawberry
from django.db.models import QuerySet
from rest_framework.exceptions import NotFound
from strawberry import Info

from tenant_app.access.graphql.permissions import circumstances, require_permission
from tenant_app.graphql.auth import signed_in_user
from tenant_app.orders.selectors import visible_orders
from tenant_app.payments.graphql.types import PaymentType
from tenant_app.payments.models import Payment


def payments_in_scope(info: Info[Any, Any]) -> QuerySet[Payment]:
    """The payments of the orders the signed-in user may see (customers: their own), as REST's."""
    orders = visible_orders(signed_in_user(info), circumstances(info)).values("id")
    return Payment.objects.filter(order_id__in=orders)


def payment_in_scope(info: Info[Any, Any], id: uuid.UUID) -> Payment:
    """One payment in scope; another store's id, another customer's or no such one are "not found" alike."""
    found = payments_in_scope(info).filter(pk=id).first()
    if found is None:
        raise NotFound(f"No payment has the id {id}, or you may not see it.")
    return found


def resolve_payment(info: Info[Any, Any], id: uuid.UUID) -> PaymentType:
    require_permission(info, "orders.view")
    return PaymentType.of(payment_in_scope(info, id))


def resolve_payments_of_order(info: Info[Any, Any], order: uuid.UUID) -> list[PaymentType]:
    require_permission(info, "orders.view")
    if not visible_orders(signed_in_user(info), circumstances(info)).filter(pk=order).exists():
        raise NotFound(f"No order has the id {order}, or you may not see it.")
    return [
        PaymentType.of(payment) for payment in payments_in_scope(info).filter(order_id=order).order_by("created_at")
    ]


@strawberry.type
class PaymentsQuery:
    payment: PaymentType = strawberry.field(resolver=resolve_payment, description="A payment, as last known.")
    payments_of_order: list[PaymentType] = strawberry.field(
        resolver=resolve_payments_of_order, description="An order's payments, oldest first."
    )
