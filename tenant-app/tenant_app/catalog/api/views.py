"""Products: read by whoever may see them, changed through the catalog actions; the policy engine guards each."""

from __future__ import annotations

import django_filters
from django.db.models import QuerySet
from django.urls import reverse
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from tenant_app.access.permissions import ActionPermission
from tenant_app.access.policy import Context
from tenant_app.api import signed_in_user
from tenant_app.catalog import actions
from tenant_app.catalog.api.serializers import ProductSerializer, ProductWriteSerializer
from tenant_app.catalog.models import Product
from tenant_app.catalog.selectors import visible_products
from tenantry_kernel.web.openapi import problems


class ProductFilter(django_filters.FilterSet):
    currency = django_filters.CharFilter(field_name="price_currency", label="Products priced in this currency")
    search = django_filters.CharFilter(field_name="name", lookup_expr="icontains", label="Names containing this text")

    class Meta:
        model = Product
        fields = ["published", "currency", "search"]


@extend_schema_view(
    list=extend_schema(
        summary="List products",
        description="The products you may see (shoppers: published ones), in id order; filter by `published`, "
        "`currency` or `search` (name contains), order with `?ordering=`.",
    ),
    retrieve=extend_schema(summary="Read a product", description="One product you may see."),
)
class ProductViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[Product]):
    permission_classes = [ActionPermission]
    required_actions = {
        "list": "products.view",
        "retrieve": "products.view",
        "create": "products.create",
        "partial_update": "products.update",
        "publish": "products.publish",
        "unpublish": "products.publish",
    }
    serializer_class = ProductSerializer
    filterset_class = ProductFilter
    lookup_value_regex = "[0-9]+"
    http_method_names = ["get", "post", "patch", "head"]

    def get_queryset(self) -> QuerySet[Product]:
        # Found when visible; whether it may be changed is the object permission's call (403, not 404).
        return visible_products(self.request.user, Context.of(self.request._request))

    @extend_schema(
        summary="Add a product",
        description="Unpublished until POST publish/; `Location` is the new product.",
        request=ProductWriteSerializer,
        responses={201: ProductSerializer, **problems("invalid")},
    )
    def create(self, request: Request) -> Response:
        form = ProductWriteSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        product = actions.create_product(request._request, signed_in_user(request), **form.action_arguments())
        location = reverse("product-detail", kwargs={"pk": product.pk})
        return Response(ProductSerializer(product).data, status=status.HTTP_201_CREATED, headers={"Location": location})

    @extend_schema(
        summary="Change a product",
        description="Only the fields sent change; publishing has its own calls.",
        request=ProductWriteSerializer(partial=True),
        responses={200: ProductSerializer, **problems("invalid")},
    )
    def partial_update(self, request: Request, pk: str) -> Response:
        product = self.get_object()
        form = ProductWriteSerializer(data=request.data, partial=True)
        form.is_valid(raise_exception=True)
        product = actions.update_product(request._request, signed_in_user(request), product, **form.action_arguments())
        return Response(ProductSerializer(product).data)

    @extend_schema(
        summary="Publish a product",
        description="Shows it to shoppers and the marketplace; publishing a published one changes nothing.",
        request=None,
        responses={200: ProductSerializer},
    )
    @action(detail=True, methods=["post"], filterset_class=None)
    def publish(self, request: Request, pk: str) -> Response:
        product = actions.publish_product(request._request, signed_in_user(request), self.get_object())
        return Response(ProductSerializer(product).data)

    @extend_schema(
        summary="Unpublish a product",
        description="Withdraws it from sale and the marketplace; an unpublished one stays as it is.",
        request=None,
        responses={200: ProductSerializer},
    )
    @action(detail=True, methods=["post"], filterset_class=None)
    def unpublish(self, request: Request, pk: str) -> Response:
        product = actions.unpublish_product(request._request, signed_in_user(request), self.get_object())
        return Response(ProductSerializer(product).data)
