"""Products: read by whoever may see them, changed through the catalog actions; the policy engine guards each."""

from __future__ import annotations

import django_filters
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
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


class ProductFilter(django_filters.FilterSet):
    currency = django_filters.CharFilter(field_name="price_currency", label="Products priced in this currency")
    search = django_filters.CharFilter(field_name="name", lookup_expr="icontains", label="Names containing this text")

    class Meta:
        model = Product
        fields = ["published", "currency", "search"]


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

    @extend_schema(request=ProductWriteSerializer, responses={201: ProductSerializer})
    def create(self, request: Request) -> Response:
        form = ProductWriteSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        product = actions.create_product(request._request, signed_in_user(request), **form.action_arguments())
        return Response(ProductSerializer(product).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ProductWriteSerializer(partial=True), responses={200: ProductSerializer})
    def partial_update(self, request: Request, pk: str) -> Response:
        product = self.get_object()
        form = ProductWriteSerializer(data=request.data, partial=True)
        form.is_valid(raise_exception=True)
        product = actions.update_product(request._request, signed_in_user(request), product, **form.action_arguments())
        return Response(ProductSerializer(product).data)

    @extend_schema(request=None, responses={200: ProductSerializer})
    @action(detail=True, methods=["post"], filterset_class=None)
    def publish(self, request: Request, pk: str) -> Response:
        """Show the product to shoppers and the marketplace (again publishing a published one changes nothing)."""
        product = actions.publish_product(request._request, signed_in_user(request), self.get_object())
        return Response(ProductSerializer(product).data)

    @extend_schema(request=None, responses={200: ProductSerializer})
    @action(detail=True, methods=["post"], filterset_class=None)
    def unpublish(self, request: Request, pk: str) -> Response:
        """Withdraw the product from sale (an unpublished one stays as it is)."""
        product = actions.unpublish_product(request._request, signed_in_user(request), self.get_object())
        return Response(ProductSerializer(product).data)
