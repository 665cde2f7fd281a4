from __future__ import annotations

import uuid
from typing import Any

import strawberry
from strawberry import Info
from strawberry.scalars import JSON

from tenant_app.catalog.graphql.types import MoneyType
from tenant_app.checkout import actions
from tenant_app.checkout.api.serializers import (
    AddLineSerializer,
    CartDetailsSerializer,
    ChangeLineSerializer,
    CreateCartSerializer,
)
from tenant_app.checkout.graphql.queries import cart_of
from tenant_app.checkout.graphql.types import CartType, CheckoutOrderType, NewCartType
from tenant_app.checkout.models import Cart
from tenantry_kernel.money import quantum


def _checked(serializer: type[Any], data: dict[str, Any]) -> dict[str, Any]:
    form = serializer(data=data)
    form.is_valid(raise_exception=True)
    validated: dict[str, Any] = form.validated_data
    return validated


def _user(info: Info[Any, Any]) -> Any:
    user = info.context.request.user
    return user if getattr(user, "is_authenticated", False) else None


def resolve_create_cart(info: Info[Any, Any], currency: str = "", language: str = "") -> NewCartType:
    data = _checked(CreateCartSerializer, {"currency": currency, "language": language})
    cart, token = actions.create_cart(_user(info), currency=data["currency"], language=data["language"])
    return NewCartType(cart=CartType.of(cart), token=token)


def resolve_add_cart_line(
    info: Info[Any, Any], cart_id: uuid.UUID, variant: int, quantity: int, token: str | None = None
) -> CartType:
    cart = cart_of(info, cart_id, token)
    data = _checked(AddLineSerializer, {"variant": variant, "quantity": quantity})
    actions.add_line(cart, data["variant"], data["quantity"])
    return CartType.of(Cart.objects.get(pk=cart.pk))


def resolve_change_cart_line(
    info: Info[Any, Any], cart_id: uuid.UUID, line: int, quantity: int, token: str | None = None
) -> CartType:
    cart = cart_of(info, cart_id, token)
    data = _checked(ChangeLineSerializer, {"quantity": quantity})
    actions.change_line(cart, line, data["quantity"])
    return CartType.of(Cart.objects.get(pk=cart.pk))


def resolve_update_cart(
    info: Info[Any, Any],
    cart_id: uuid.UUID,
    token: str | None = None,
    email: str | None = None,
    shipping_address: JSON | None = None,
    billing_address: JSON | None = None,
    shipping_method: int | None = None,
    voucher: str | None = None,
) -> CartType:
    cart = cart_of(info, cart_id, token)
    sent = {
        "email": email,
        "shipping_address": shipping_address,
        "billing_address": billing_address,
        "shipping_method": shipping_method,
        "voucher": voucher,
    }
    changes = _checked(CartDetailsSerializer, {key: value for key, value in sent.items() if value is not None})
    return CartType.of(actions.update_details(cart, changes))


def resolve_complete_checkout(
    info: Info[Any, Any], cart_id: uuid.UUID, idempotency_key: str, token: str | None = None
) -> CheckoutOrderType:
    cart = cart_of(info, cart_id, token)
    done = actions.complete_checkout(_user(info), cart, key=idempotency_key, body={})
    order = done.order
    total = MoneyType(amount=order.total.quantize(quantum(order.currency)), currency=order.currency)
    return CheckoutOrderType(id=order.pk, status=order.status, total=total, replayed=done.replayed)


@strawberry.type
class CheckoutMutation:
    create_cart = strawberry.mutation(
        resolver=resolve_create_cart, description="Start a cart (a guest's token is in the answer, once)."
    )
    add_cart_line = strawberry.mutation(
        resolver=resolve_add_cart_line, description="Add a quantity of a variant to a cart, reserving its stock."
    )
    change_cart_line = strawberry.mutation(
        resolver=resolve_change_cart_line, description="Set a line's quantity (0 removes it)."
    )
    update_cart = strawberry.mutation(
        resolver=resolve_update_cart,
        description="Set email, addresses (objects of address fields, checked for their country), shipping "
        "method or voucher code; what is not given stays.",
    )
    complete_checkout = strawberry.mutation(
        resolver=resolve_complete_checkout,
        description="Turn the cart into an order; the same idempotency key gives the same order.",
    )
