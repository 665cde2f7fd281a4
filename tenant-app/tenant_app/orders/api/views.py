"""Orders: listed from the ledger's projection, each with its history; every step through the order actions."""

from __future__ import annotations

from typing import Any

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
from tenantry_kernel.web.openapi import problems
from tenantry_kernel.web.pagination import CursorPage


class OrderFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=OrderStatus.choices)
    customer = django_filters.NumberFilter(field_name="customer_id", label="Orders placed by the user with this id")

    class Meta:
        model = OrderSummary
        fields = ["status", "customer"]


class NewestFirst(CursorPage):
    ordering = ("-placed_at", "-id")


def _detail(
    order: OrderSummary, *, status_code: int = status.HTTP_200_OK, headers: dict[str, str] | None = None
) -> Response:
    body = OrderDetailSerializer(order, context={"history": history_of(order)}).data
    return Response(body, status=status_code, headers=headers)


@extend_schema_view(
    list=extend_schema(
        summary="List orders",
        description="The orders you may see (customers: their own), newest first; filter by `status` or `customer`.",
    )
)
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

    @extend_schema(
        summary="Read an order",
        description="The order, with every step of its history.",
        responses={200: OrderDetailSerializer},
    )
    def retrieve(self, request: Request, pk: str) -> Response:
        return _detail(self.get_object())

    @extend_schema(
        summary="Place an order",
        description="For yourself, of published products at their current prices, all in one currency. "
        "`Location` is the new order.",
        request=PlaceOrderSerializer,
        responses={201: OrderDetailSerializer, **problems("invalid", "order_exists")},
    )
    def create(self, request: Request) -> Response:
        form = PlaceOrderSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        lines = [(line["product"], line["quantity"]) for line in form.validated_data["lines"]]
        order = actions.place_order(request._request, signed_in_user(request), lines)
        location = reverse("order-detail", kwargs={"pk": order.pk})
        return _detail(order, status_code=status.HTTP_201_CREATED, headers={"Location": location})

    @extend_schema(
        summary="Record a payment",
        description="Of the order's total, in full, captured elsewhere (`payment_reference` says where). With "
        "`expected_version`, refused if the order changed since you read it.",
        request=PaymentSerializer,
        responses={200: OrderDetailSerializer, **problems("invalid", "order_not_payable", "stream_conflict")},
    )
    @action(detail=True, methods=["post"], filterset_class=None)
    def pay(self, request: Request, pk: str) -> Response:
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

    @extend_schema(
        summary="Record a refund",
        description="Part or all of what was paid and not yet refunded. With `expected_version`, refused if the "
        "order changed since you read it.",
        request=RefundSerializer,
        responses={200: OrderDetailSerializer, **problems("invalid", "order_not_refundable", "stream_conflict")},
    )
    @action(detail=True, methods=["post"], filterset_class=None)
    def refund(self, request: Request, pk: str) -> Response:
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

    @extend_schema(
        summary="Cancel an order",
        description="An unpaid one, or one whose payment was refunded in full. With `expected_version`, refused if "
        "the order changed since you read it.",
        request=CancellationSerializer,
        responses={200: OrderDetailSerializer, **problems("invalid", "order_not_cancellable", "stream_conflict")},
    )
    @action(detail=True, methods=["post"], filterset_class=None)
    def cancel(self, request: Request, pk: str) -> Response:
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
