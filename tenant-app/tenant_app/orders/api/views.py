"""Orders: listed from the ledger's projection, each with its history; every step through the order actions."""

from __future__ import annotations

from typing import Any

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
from tenantry_kernel.web.pagination import CursorPage
from tenant_app.orders import actions
from tenant_app.orders.api.serializers import (
    CancellationSerializer,
    OrderDetailSerializer,
    OrderSerializer,
    PaymentSerializer,
    PlaceOrderSerializer,
    RefundSerializer,
)
from tenant_app.orders.models import OrderStatus, OrderSummary
from tenant_app.orders.selectors import history_of, visible_orders


class OrderFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=OrderStatus.choices)
    customer = django_filters.NumberFilter(field_name="customer_id", label="Orders placed by the user with this id")

    class Meta:
        model = OrderSummary
        fields = ["status", "customer"]


class NewestFirst(CursorPage):
    ordering = ("-placed_at", "-id")


def _detail(order: OrderSummary, *, status_code: int = status.HTTP_200_OK) -> Response:
    return Response(OrderDetailSerializer(order, context={"history": history_of(order)}).data, status=status_code)


class OrderViewSet(mixins.ListModelMixin, viewsets.GenericViewSet[OrderSummary]):
    permission_classes = [ActionPermission]
    required_actions = {
        "list": "orders.view",
        "retrieve": "orders.view",
        "create": "orders.create",
        "pay": "orders.pay",
        "refund": "orders.refund",
        "cancel": "orders.cancel",
    }
    serializer_class = OrderSerializer
    filterset_class = OrderFilter
    pagination_class = NewestFirst
    lookup_value_regex = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
    http_method_names = ["get", "post", "head"]

    def get_queryset(self) -> QuerySet[OrderSummary]:
        # Found when visible; whether it may be paid, refunded or cancelled is the object permission's call.
        return visible_orders(self.request.user, Context.of(self.request._request))

    @extend_schema(responses={200: OrderDetailSerializer})
    def retrieve(self, request: Request, pk: str) -> Response:
        """The order, with every step of its history."""
        return _detail(self.get_object())

    @extend_schema(request=PlaceOrderSerializer, responses={201: OrderDetailSerializer})
    def create(self, request: Request) -> Response:
        """Place an order for yourself, of published products at their current prices, in one currency."""
        form = PlaceOrderSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        lines = [(line["product"], line["quantity"]) for line in form.validated_data["lines"]]
        order = actions.place_order(request._request, signed_in_user(request), lines)
        return _detail(order, status_code=status.HTTP_201_CREATED)

    @extend_schema(request=PaymentSerializer, responses={200: OrderDetailSerializer})
    @action(detail=True, methods=["post"], filterset_class=None)
    def pay(self, request: Request, pk: str) -> Response:
        """Record the payment of the order's total (captured elsewhere: `payment_reference` says where)."""
        data = self._form(PaymentSerializer, request)
        order = actions.pay_order(
            request._request,
            signed_in_user(request),
            self.get_object(),
            amount=data["amount"]["amount"],
            currency=data["amount"]["currency"],
            payment_reference=data["payment_reference"],
            expected_version=data.get("expected_version"),
        )
        return _detail(order)

    @extend_schema(request=RefundSerializer, responses={200: OrderDetailSerializer})
    @action(detail=True, methods=["post"], filterset_class=None)
    def refund(self, request: Request, pk: str) -> Response:
        """Record giving back part or all of the payment."""
        data = self._form(RefundSerializer, request)
        order = actions.refund_order(
            request._request,
            signed_in_user(request),
            self.get_object(),
            amount=data["amount"]["amount"],
            currency=data["amount"]["currency"],
            reason=data["reason"],
            expected_version=data.get("expected_version"),
        )
        return _detail(order)

    @extend_schema(request=CancellationSerializer, responses={200: OrderDetailSerializer})
    @action(detail=True, methods=["post"], filterset_class=None)
    def cancel(self, request: Request, pk: str) -> Response:
        """Cancel an unpaid order, or one whose payment was refunded in full."""
        data = self._form(CancellationSerializer, request)
        order = actions.cancel_order(
            request._request,
            signed_in_user(request),
            self.get_object(),
            reason=data["reason"],
            expected_version=data.get("expected_version"),
        )
        return _detail(order)

    def _form(self, serializer: type[Any], request: Request) -> dict[str, Any]:
        form = serializer(data=request.data)
        form.is_valid(raise_exception=True)
        validated: dict[str, Any] = form.validated_data
        return validated
