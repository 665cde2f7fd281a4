"""Paying in the GraphQL API: start and confirm a payment (the order's customer), capture and refund (staff).

GraphQL runs an operation inside the request's tenant transaction, and payments never call a gateway inside a
transaction (tenant_app.payments.actions): so each of these mutations runs its action on a thread of its own,
with its own database connection and the request's context (tenant, request id), where the action opens its
short transactions around the gateway's calls. The request's own transaction only reads (the checks before).
"""

from __future__ import annotations

import contextvars
import threading
import uuid
from collections.abc import Callable
from typing import Any, TypeVar

import strawberry
from django.db import connection
from rest_framework.exceptions import ErrorDetail, NotFound, ValidationError
from strawberry import Info

from tenant_app.access.graphql.permissions import circumstances, require_permission
from tenant_app.catalog.graphql.types import MoneyInput
from tenant_app.graphql.auth import signed_in_user
from tenant_app.orders.selectors import visible_orders
from tenant_app.payments import actions
from tenant_app.payments.api.serializers import (
    ConfirmPaymentSerializer,
    RefundPaymentSerializer,
    StartPaymentSerializer,
)
from tenant_app.payments.graphql.queries import payment_in_scope
from tenant_app.payments.graphql.types import PaymentType

T = TypeVar("T")


def outside_request_transaction(function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """`function` on a thread of its own (its own connection, no transaction open), with this context."""
    context = contextvars.copy_context()
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["value"] = context.run(function, *args, **kwargs)
        except BaseException as exc:  # handed back to the resolver's thread, raised there
            outcome["error"] = exc
        finally:
            connection.close()

    worker = threading.Thread(target=run, name="payments-gateway-call")
    worker.start()
    worker.join()
    if "error" in outcome:
        raise outcome["error"]
    value: T = outcome["value"]
    return value


def resolve_start_payment(
    info: Info[Any, Any], order: uuid.UUID, gateway: str, manual_capture: bool = False
) -> PaymentType:
    require_permission(info, "payments.create")
    form = StartPaymentSerializer(data={"order": str(order), "gateway": gateway, "manual_capture": manual_capture})
    form.is_valid(raise_exception=True)
    summary = visible_orders(signed_in_user(info), circumstances(info)).filter(pk=order).first()
    if summary is None:
        raise NotFound(f"No order has the id {order}, or you may not see it.")
    user, request = signed_in_user(info), info.context.request
    payment = outside_request_transaction(
        actions.start_payment, request, user, summary, gateway, manual_capture=manual_capture
    )
    return PaymentType.of(payment)


def resolve_confirm_payment(
    info: Info[Any, Any],
    id: uuid.UUID,
    payment_method: str | None = None,
    razorpay_payment_id: str | None = None,
    razorpay_signature: str | None = None,
) -> PaymentType:
    require_permission(info, "payments.create")
    payment = payment_in_scope(info, id)
    sent = {
        "payment_method": payment_method,
        "razorpay_payment_id": razorpay_payment_id,
        "razorpay_signature": razorpay_signature,
    }
    form = ConfirmPaymentSerializer(data={key: value for key, value in sent.items() if value is not None})
    form.is_valid(raise_exception=True)
    buyer = {key: str(value) for key, value in form.validated_data.items()}
    user, request = signed_in_user(info), info.context.request
    return PaymentType.of(outside_request_transaction(actions.confirm_payment, request, user, payment, buyer))


def resolve_capture_payment(info: Info[Any, Any], id: uuid.UUID) -> PaymentType:
    require_permission(info, "orders.pay")
    payment = payment_in_scope(info, id)
    user, request = signed_in_user(info), info.context.request
    return PaymentType.of(outside_request_transaction(actions.capture_payment, request, user, payment))


def resolve_refund_payment(info: Info[Any, Any], id: uuid.UUID, amount: MoneyInput) -> PaymentType:
    require_permission(info, "orders.refund")
    payment = payment_in_scope(info, id)
    form = RefundPaymentSerializer(data={"amount": {"amount": str(amount.amount), "currency": amount.currency}})
    form.is_valid(raise_exception=True)
    if amount.currency != payment.currency:
        message = f"The payment is in {payment.currency}; refund in its currency."
        raise ValidationError({"amount": {"currency": [ErrorDetail(message, "currency_mismatch")]}})
    user, request = signed_in_user(info), info.context.request
    refunded = outside_request_transaction(
        actions.refund_payment, request, user, payment, form.validated_data["amount"]["amount"]
    )
    return PaymentType.of(refunded)


@strawberry.type
class PaymentsMutation:
    start_payment: PaymentType = strawberry.mutation(
        resolver=resolve_start_payment,
        description="Start a payment of an order's outstanding total at one of the store's gateways "
        "(`nextAction` says what the buyer does next).",
    )
    confirm_payment: PaymentType = strawberry.mutation(
        resolver=resolve_confirm_payment,
        description="The buyer is back from the gateway (as REST's confirm): Stripe's payment method, Razorpay "
        "Checkout's signed handler response, or nothing for PayPal.",
    )
    capture_payment: PaymentType = strawberry.mutation(
        resolver=resolve_capture_payment, description="Take the money of an authorized payment (staff)."
    )
    refund_payment: PaymentType = strawberry.mutation(
        resolver=resolve_refund_payment, description="Give back part or all of what was captured (staff)."
    )
