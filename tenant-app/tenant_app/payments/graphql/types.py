from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any

import strawberry
from strawberry.scalars import JSON

from tenant_app.catalog.graphql.types import MoneyType
from tenant_app.payments.models import Payment


def _money(amount: Decimal, currency: str) -> MoneyType:
    # The currency's own decimals, as REST writes them (tenant_app.catalog.money.money).
    from tenant_app.catalog.money import places

    return MoneyType(amount=Decimal(amount).quantize(places(currency)), currency=currency)


@strawberry.type(name="Payment", description="A payment of an order at one of the store's gateways.")
class PaymentType:
    id: uuid.UUID
    order: uuid.UUID = strawberry.field(description="The id of the order it pays.")
    gateway: str
    reference: str = strawberry.field(description="The gateway's id of it.")
    status: str = strawberry.field(
        description="pending, requires_action, authorized, captured, failed or cancelled (see the REST API)."
    )
    amount: MoneyType
    captured: MoneyType
    refunded: MoneyType
    manual_capture: bool
    next_action: JSON = strawberry.field(description="What the buyer does next, as in the REST API.")
    failure: str
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, payment: Payment) -> PaymentType:
        return cls(
            id=payment.pk,
            order=payment.order_id,
            gateway=payment.gateway,
            reference=payment.reference,
            status=payment.status,
            amount=_money(payment.amount, payment.currency),
            captured=_money(payment.captured, payment.currency),
            refunded=_money(payment.refunded, payment.currency),
            manual_capture=payment.manual_capture,
            next_action=_json(payment.next_action),
            failure=payment.failure,
            created_at=payment.created_at,
            updated_at=payment.updated_at,
        )


def _json(value: Any) -> Any:
    return dict(value) if isinstance(value, dict) else {}
