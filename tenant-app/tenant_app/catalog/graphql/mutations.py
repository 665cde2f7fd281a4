from __future__ import annotations

from typing import Any

import strawberry
from strawberry import Info, relay

from tenant_app.access.graphql.permissions import circumstances, require_permission
from tenant_app.access.policy import require
from tenant_app.catalog import actions
from tenant_app.catalog.api.serializers import ProductWriteSerializer
from tenant_app.catalog.graphql.types import MoneyInput, ProductType
from tenant_app.catalog.models import Product
from tenant_app.graphql.auth import node_in, signed_in_user


def _checked(data: dict[str, Any], *, partial: bool = False) -> dict[str, Any]:
    """The input checked by REST's serializer, its errors pointing into it as REST's do (`/price/amount`)."""
    form = ProductWriteSerializer(data=data, partial=partial)
    form.is_valid(raise_exception=True)
    return form.action_arguments()


def _money(price: MoneyInput) -> dict[str, Any]:
    return {"amount": price.amount, "currency": price.currency}


def _product(info: Info[Any, Any], id: relay.GlobalID, action: str) -> Product:
    """A product the signed-in user may `action`: refused outright without the permission, else looked up in scope."""
    require_permission(info, action)
    product = node_in(ProductType.get_queryset(Product.objects.all(), info), id, "Product")
    require(signed_in_user(info), action, product, circumstances(info))
    return product


def resolve_create_product(
    info: Info[Any, Any], name: str, price: MoneyInput, description: str = "", location: str = ""
) -> Product:
    require_permission(info, "products.create")
    data = {"name": name, "description": description, "price": _money(price), "location": location}
    return actions.create_product(info.context.request, signed_in_user(info), **_checked(data))


def resolve_update_product(
    info: Info[Any, Any],
    id: relay.GlobalID,
    name: str | None = None,
    description: str | None = None,
    price: MoneyInput | None = None,
    location: str | None = None,
) -> Product:
    product = _product(info, id, "products.update")
    sent = {"name": name, "description": description, "price": _money(price) if price else None, "location": location}
    changes = _checked({key: value for key, value in sent.items() if value is not None}, partial=True)
    return actions.update_product(info.context.request, signed_in_user(info), product, **changes)


def resolve_publish_product(info: Info[Any, Any], id: relay.GlobalID) -> Product:
    product = _product(info, id, "products.publish")
    return actions.publish_product(info.context.request, signed_in_user(info), product)


def resolve_unpublish_product(info: Info[Any, Any], id: relay.GlobalID) -> Product:
    product = _product(info, id, "products.publish")
    return actions.unpublish_product(info.context.request, signed_in_user(info), product)


@strawberry.type
class CatalogMutation:
    create_product = strawberry.mutation(
        resolver=resolve_create_product, graphql_type=ProductType, description="Add a product (unpublished)."
    )
    update_product = strawberry.mutation(
        resolver=resolve_update_product,
        graphql_type=ProductType,
        description="Change a product's name, description, price or location; what is not given stays.",
    )
    publish_product = strawberry.mutation(
        resolver=resolve_publish_product,
        graphql_type=ProductType,
        description="Show a product to shoppers and the marketplace (publishing it again changes nothing).",
    )
    unpublish_product = strawberry.mutation(
        resolver=resolve_unpublish_product, graphql_type=ProductType, description="Withdraw a product from sale."
    )
