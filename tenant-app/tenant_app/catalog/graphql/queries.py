from __future__ import annotations

from typing import Any

import strawberry
import strawberry_django
from django.db.models import QuerySet
from strawberry import Info, relay
from strawberry_django.relay import DjangoCursorConnection

from tenant_app.access.graphql.permissions import require_permission
from tenant_app.catalog.graphql.storefront import StorefrontQuery
from tenant_app.catalog.graphql.types import ProductFilter, ProductType
from tenant_app.catalog.models import Product
from tenant_app.graphql.auth import node_in


def resolve_products(info: Info[Any, Any]) -> QuerySet[Product]:
    require_permission(info, "products.view")
    return Product.objects.order_by("id")  # only what the viewer may see: ProductType.get_queryset


def resolve_product(info: Info[Any, Any], id: relay.GlobalID) -> Product:
    require_permission(info, "products.view")
    return node_in(ProductType.get_queryset(Product.objects.all(), info), id, "Product")


@strawberry.type
class CatalogQuery(StorefrontQuery):
    products: DjangoCursorConnection[ProductType] = strawberry_django.connection(
        resolver=resolve_products, filters=ProductFilter, description="The catalog's products, oldest first."
    )
    product = strawberry_django.field(resolver=resolve_product, graphql_type=ProductType | None)
