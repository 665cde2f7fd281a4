from __future__ import annotations

import uuid
from typing import Any

import strawberry
from rest_framework.exceptions import NotFound
from strawberry import Info

from tenant_app.checkout import actions, selectors
from tenant_app.checkout.graphql.types import CartType
from tenant_app.checkout.models import Cart


def cart_of(info: Info[Any, Any], id: uuid.UUID, token: str | None) -> Cart:
    """The cart if the caller holds it (its token as argument or Cart-Token header, or their own); else not found."""
    request = info.context.request
    user = request.user if getattr(request.user, "is_authenticated", False) else None
    cart = selectors.cart_by_id(id, token=token or request.headers.get("Cart-Token"), user=user)
    if cart is None:
        raise NotFound(f"No cart {id} of this store is yours; check its id and token.")
    return cart


def resolve_cart(info: Info[Any, Any], id: uuid.UUID, token: str | None = None) -> CartType:
    return CartType.of(actions.release_if_expired(cart_of(info, id, token)))


@strawberry.type
class CheckoutQuery:
    cart = strawberry.field(resolver=resolve_cart, description="A cart you hold (guests: with its token).")
