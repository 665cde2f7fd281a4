"""Payments: a store's gateway connections (owners), paying an order (its customer), capture and refund (staff),
and the gateways' webhooks (no user: the signature is the credential)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.exceptions import ErrorDetail, ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from tenant_app.access.permissions import ActionPermission
from tenant_app.access.policy import Context
from tenant_app.api import signed_in_user
from tenant_app.orders.selectors import visible_orders
from tenant_app.payments import actions
from tenant_app.payments.api.serializers import (
    ConfirmPaymentSerializer,
    ConnectionSerializer,
    ConnectSerializer,
    PaymentSerializer,
    RefundPaymentSerializer,
    StartPaymentSerializer,
    WebhookResultSerializer,
    connection_of,
)
from tenant_app.payments.models import GatewayAccount, GatewayName, Payment
from tenant_app.tenancy.context import tenant_step
from tenantry_kernel.web.openapi import problems

GATEWAY = OpenApiParameter("gateway", str, OpenApiParameter.PATH, enum=list(GatewayName.values))
GATEWAY_ERRORS = ("gateway_not_connected", "gateway_rejected", "gateway_unavailable", "gateway_credentials_rejected")


def _form(serializer: type[Any], request: Request) -> dict[str, Any]:
    form = serializer(data=request.data)
    form.is_valid(raise_exception=True)
    validated: dict[str, Any] = form.validated_data
    return validated


def _gateway_name(gateway: str) -> str:
    if gateway not in GatewayName.values:
        raise Http404(f"No gateway named {gateway!r}; use one of {', '.join(GatewayName.values)}.")
    return gateway


class ConnectionList(APIView):
    permission_classes = [ActionPermission]
    required_actions = {"GET": "payments.connect"}

    @extend_schema(
        summary="List the store's gateway connections",
        description="Each gateway, connected or not; secrets are never answered, only their last four characters.",
        responses={200: ConnectionSerializer(many=True)},
    )
    def get(self, request: Request) -> Response:
        accounts = {account.gateway: account for account in GatewayAccount.objects.all()}
        body = [connection_of(name, accounts.get(name)) for name in GatewayName.values]
        return Response(ConnectionSerializer(body, many=True).data)


class ConnectionDetail(APIView):
    permission_classes = [ActionPermission]
    required_actions = {"PUT": "payments.connect", "DELETE": "payments.connect"}

    @extend_schema(
        summary="Connect a gateway",
        description="Store the store's own credentials at the gateway (encrypted at rest; replaces earlier ones). "
        "The answer shows the public id and the secret's last four characters, never the secret.",
        parameters=[GATEWAY],
        request=ConnectSerializer,
        responses={200: ConnectionSerializer, **problems("invalid")},
    )
    def put(self, request: Request, gateway: str) -> Response:
        data = _form(ConnectSerializer, request)
        account = actions.connect_gateway(request._request, signed_in_user(request), _gateway_name(gateway), **data)
        return Response(ConnectionSerializer(connection_of(gateway, account)).data)

    @extend_schema(
        summary="Disconnect a gateway",
        description="Forget the store's credentials at the gateway; its payments stay.",
        parameters=[GATEWAY],
        responses={204: None},
    )
    def delete(self, request: Request, gateway: str) -> Response:
        account = get_object_or_404(GatewayAccount, gateway=_gateway_name(gateway))
        actions.disconnect_gateway(request._request, signed_in_user(request), account)
        return Response(status=status.HTTP_204_NO_CONTENT)


def _payments(request: Request) -> QuerySet[Payment]:
    """The payments of the orders the user may see (customers: their own)."""
    orders = visible_orders(request.user, Context.of(request._request)).values("id")
    return Payment.objects.filter(order_id__in=orders)


def _answer(payment: Payment, status_code: int = status.HTTP_200_OK, **headers: str) -> Response:
    return Response(PaymentSerializer(payment).data, status=status_code, headers=headers or None)


class GatewayCallingView(APIView):
    """A view that calls a gateway: TenantMiddleware opens no transaction for the whole request
    (`own_transactions`); the checks before the handler run in one short tenant transaction, and the handler's
    actions open their own around the gateway's calls (tenant_app.payments.actions)."""

    own_transactions = True

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        with tenant_step():
            super().initial(request, *args, **kwargs)
            _ = request.user  # authenticated now, inside the step


class PaymentCreate(GatewayCallingView):
    permission_classes = [ActionPermission]
    required_actions = {"POST": "payments.create"}

    @extend_schema(
        summary="Pay for an order",
        description="Start a payment of the order's outstanding total at one of the store's gateways; `next_action` "
        "says what the buyer does next. `Location` is the payment.",
        request=StartPaymentSerializer,
        responses={201: PaymentSerializer, **problems("invalid", "order_not_payable", *GATEWAY_ERRORS)},
    )
    def post(self, request: Request) -> Response:
        data = _form(StartPaymentSerializer, request)
        with tenant_step():
            order = get_object_or_404(visible_orders(request.user, Context.of(request._request)), pk=data["order"])
        payment = actions.start_payment(
            request._request, signed_in_user(request), order, data["gateway"], manual_capture=data["manual_capture"]
        )
        location = reverse("payment-detail", kwargs={"pk": payment.pk})
        return _answer(payment, status.HTTP_201_CREATED, Location=location)


class PaymentDetail(APIView):
    permission_classes = [ActionPermission]
    required_actions = {"GET": "orders.view"}

    @extend_schema(
        summary="Read a payment",
        description="As the store last knew it from the gateway.",
        responses={200: PaymentSerializer},
    )
    def get(self, request: Request, pk: str) -> Response:
        return _answer(get_object_or_404(_payments(request), pk=pk))


class PaymentConfirm(GatewayCallingView):
    permission_classes = [ActionPermission]
    required_actions = {"POST": "payments.create"}

    @extend_schema(
        summary="Confirm a payment",
        description="The buyer is back from the gateway: Stripe sends the payment method (then maybe 3-D Secure, "
        "`requires_action`, and confirm again), Razorpay Checkout's signed handler response, PayPal nothing. "
        "Captured unless the payment is `manual_capture`; the order is then paid.",
        request=ConfirmPaymentSerializer,
        responses={
            200: PaymentSerializer,
            **problems(
                "invalid", "payment_declined", "payment_signature_invalid", "order_not_payable", *GATEWAY_ERRORS
            ),
        },
    )
    def post(self, request: Request, pk: str) -> Response:
        with tenant_step():
            payment = get_object_or_404(_payments(request), pk=pk)
        buyer = {key: str(value) for key, value in _form(ConfirmPaymentSerializer, request).items()}
        return _answer(actions.confirm_payment(request._request, signed_in_user(request), payment, buyer))


class PaymentCapture(GatewayCallingView):
    permission_classes = [ActionPermission]
    required_actions = {"POST": "orders.pay"}

    @extend_schema(
        summary="Capture a payment",
        description="Take the money of an authorized (`manual_capture`) payment; the order is then paid.",
        request=None,
        responses={200: PaymentSerializer, **problems("payment_not_capturable", "payment_declined", *GATEWAY_ERRORS)},
    )
    def post(self, request: Request, pk: str) -> Response:
        with tenant_step():
            payment = get_object_or_404(_payments(request), pk=pk)
        return _answer(actions.capture_payment(request._request, signed_in_user(request), payment))


class PaymentRefund(GatewayCallingView):
    permission_classes = [ActionPermission]
    required_actions = {"POST": "orders.refund"}

    @extend_schema(
        summary="Refund a payment",
        description="Give back part or all of what was captured, at the gateway; the order's ledger records it.",
        request=RefundPaymentSerializer,
        responses={200: PaymentSerializer, **problems("invalid", "payment_not_refundable", *GATEWAY_ERRORS)},
    )
    def post(self, request: Request, pk: str) -> Response:
        with tenant_step():
            payment = get_object_or_404(_payments(request), pk=pk)
        data = _form(RefundPaymentSerializer, request)
        if data["amount"]["currency"] != payment.currency:
            message = f"The payment is in {payment.currency}; refund in its currency."
            raise ValidationError({"amount": {"currency": [ErrorDetail(message, "currency_mismatch")]}})
        return _answer(
            actions.refund_payment(request._request, signed_in_user(request), payment, data["amount"]["amount"])
        )


class Webhook(GatewayCallingView):
    """The gateway's notifications for this store (its host): verified with the store's secret, taken once."""

    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]

    @extend_schema(
        summary="Take a gateway's webhook",
        description="For the gateway to call: Stripe (Stripe-Signature), PayPal (its transmission headers, verified "
        "through PayPal) or Razorpay (X-Razorpay-Signature, X-Razorpay-Event-Id). Each event id counts once; a "
        "forged one is refused and audited, and changes nothing.",
        parameters=[GATEWAY],
        request={"application/json": OpenApiTypes.OBJECT},
        examples=[
            OpenApiExample(
                "A Stripe event",
                value={"id": "evt_1", "type": "payment_intent.succeeded", "data": {"object": {"id": "pi_3Pq9"}}},
                request_only=True,
            ),
            OpenApiExample("Taken", value={"result": "processed"}, response_only=True, status_codes=["200"]),
        ],
        responses={
            200: WebhookResultSerializer,
            **problems("webhook_invalid", "webhook_signature_invalid", *GATEWAY_ERRORS),
        },
    )
    def post(self, request: Request, gateway: str) -> Response:
        headers = {key.lower(): value for key, value in request.headers.items()}
        result = actions.take_webhook(request._request, _gateway_name(gateway), request._request.body, headers)
        return Response({"result": result})
