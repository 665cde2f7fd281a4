"""Carts and checkout over REST: a guest holds a cart by its token (the Cart-Token header), a signed-in shopper by
their account. Another store's cart, or a wrong token, is "not found" alike."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.exceptions import NotFound
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from tenant_app.api import signed_in_user
from tenant_app.checkout import actions, selectors
from tenant_app.checkout.api.serializers import (
    AddLineSerializer,
    CartDetailsSerializer,
    CartSerializer,
    ChangeLineSerializer,
    CompleteSerializer,
    CreateCartSerializer,
    MergeSerializer,
    NewCartSerializer,
    ShippingMethodSerializer,
    money,
)
from tenant_app.checkout.errors import OutOfStock
from tenant_app.checkout.models import Cart
from tenant_app.orders.api.serializers import OrderDetailSerializer
from tenant_app.orders.selectors import history_of
from tenantry_kernel.web.errors import PROBLEM_CONTENT_TYPE, instance_of, problem_body
from tenantry_kernel.web.openapi import problems

CART_TOKEN = OpenApiParameter(
    "Cart-Token", str, OpenApiParameter.HEADER, required=False, description="A guest cart's token (from its creation)."
)
IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key",
    str,
    OpenApiParameter.HEADER,
    required=True,
    description="A unique string per completion attempt: the same key and body give the same order.",
)


def _user(request: Request) -> Any:
    return request.user if getattr(request.user, "is_authenticated", False) else None


def _cart(request: Request, cart_id: Any) -> Cart:
    cart = selectors.cart_by_id(cart_id, token=request.headers.get("Cart-Token"), user=_user(request))
    if cart is None:
        raise NotFound(f"No cart {cart_id} of this store is yours; check its id and the Cart-Token header.")
    return cart


def _form(serializer: type[Any], request: Request) -> dict[str, Any]:
    form = serializer(data=request.data)
    form.is_valid(raise_exception=True)
    validated: dict[str, Any] = form.validated_data
    return validated


def _shown(cart: Cart, code: int = status.HTTP_200_OK, **headers: str) -> Response:
    return Response(CartSerializer(cart).data, status=code, headers=headers or None)


def _out_of_stock(request: Request, exc: OutOfStock) -> Response:
    """409 out_of_stock whose `errors` point at each short line (`/lines/<index>/quantity`, or the `/quantity` sent)."""
    body = problem_body("out_of_stock", str(exc.detail), instance=instance_of(request._request), errors=exc.errors)
    return Response(body, status=exc.status_code, content_type=PROBLEM_CONTENT_TYPE)


class CartsView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        summary="Start a cart",
        description="For a guest (the answer's `token`, shown once, is the cart's key: send it as Cart-Token) or "
        "for the signed-in shopper (their open cart, if they have one). Currency and language default to the store's.",
        request=CreateCartSerializer,
        responses={201: NewCartSerializer, **problems("invalid")},
    )
    def post(self, request: Request) -> Response:
        data = _form(CreateCartSerializer, request)
        cart, token = actions.create_cart(_user(request), currency=data["currency"], language=data["language"])
        body = {**CartSerializer(cart).data, "token": token}
        location = reverse("checkout-cart", kwargs={"cart_id": cart.pk})
        return Response(body, status=status.HTTP_201_CREATED, headers={"Location": location})


class CartView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        summary="Read a cart",
        description="Its lines at the prices they were added at, the reservations' end, and the totals. An expired "
        "cart shows as such (its stock was released).",
        parameters=[CART_TOKEN],
        responses={200: CartSerializer},
    )
    def get(self, request: Request, cart_id: str) -> Response:
        return _shown(actions.release_if_expired(_cart(request, cart_id)))

    @extend_schema(
        summary="Set a cart's details",
        description="Any of email, shipping and billing address (checked for their country), shipping method, "
        "voucher code (empty removes it). Lines are brought to today's prices.",
        parameters=[CART_TOKEN],
        request=CartDetailsSerializer,
        responses={
            200: CartSerializer,
            **problems("invalid", "cart_closed", "voucher_invalid", "voucher_already_used"),
        },
    )
    def patch(self, request: Request, cart_id: str) -> Response:
        cart = _cart(request, cart_id)
        return _shown(actions.update_details(cart, _form(CartDetailsSerializer, request)))


class LinesView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        summary="Add to a cart",
        description="A quantity of a variant for sale, added to its line if there is one; the stock is reserved "
        "for the store's reservation time. Not enough stock: 409 out_of_stock, with what is left.",
        parameters=[CART_TOKEN],
        request=AddLineSerializer,
        responses={201: CartSerializer, **problems("invalid", "out_of_stock", "cart_closed")},
    )
    def post(self, request: Request, cart_id: str) -> Response:
        cart = _cart(request, cart_id)
        data = _form(AddLineSerializer, request)
        try:
            actions.add_line(cart, data["variant"], data["quantity"])
        except OutOfStock as exc:
            return _out_of_stock(request, exc)
        location = reverse("checkout-cart", kwargs={"cart_id": cart.pk})
        return _shown(Cart.objects.get(pk=cart.pk), status.HTTP_201_CREATED, Location=location)


class LineView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        summary="Change a line's quantity",
        description="0 removes the line; more reserves more stock, less gives some back.",
        parameters=[CART_TOKEN],
        request=ChangeLineSerializer,
        responses={200: CartSerializer, **problems("invalid", "out_of_stock", "cart_closed")},
    )
    def patch(self, request: Request, cart_id: str, line_id: int) -> Response:
        cart = _cart(request, cart_id)
        data = _form(ChangeLineSerializer, request)
        try:
            actions.change_line(cart, line_id, data["quantity"])
        except OutOfStock as exc:
            return _out_of_stock(request, exc)
        return _shown(Cart.objects.get(pk=cart.pk))


class ShippingMethodsView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        summary="Shipping methods for a cart",
        description="The methods that ship the cart's weight to its shipping address's country, priced in its "
        "currency (none until the address is set).",
        parameters=[CART_TOKEN],
        responses={200: ShippingMethodSerializer(many=True)},
    )
    def get(self, request: Request, cart_id: str) -> Response:
        cart = _cart(request, cart_id)
        country = selectors.country_of(cart)
        weight = selectors.weight_of(selectors.lines_of(cart))
        methods = selectors.shipping_methods_for(country, weight, cart.currency).prefetch_related("prices")
        body = [
            {
                "id": method.pk,
                "name": method.name,
                "price": money(
                    next(p.amount for p in method.prices.all() if p.currency == cart.currency), cart.currency
                ),
            }
            for method in methods
        ]
        return Response(body)


class CompleteView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        summary="Complete a checkout",
        description="The cart becomes an order in one step: stock taken, voucher counted, the order placed and the "
        "cart closed. Needs an Idempotency-Key: the same key and body answer with the same order (200), another "
        "body with 422. Not enough stock: 409 out_of_stock naming the lines. `Location` is the order.",
        parameters=[CART_TOKEN, IDEMPOTENCY_KEY],
        request=CompleteSerializer,
        responses={
            201: OrderDetailSerializer,
            200: OrderDetailSerializer,
            **problems(
                "invalid",
                "checkout_incomplete",
                "out_of_stock",
                "prices_changed",
                "cart_closed",
                "idempotency_key_required",
                "idempotency_key_reused",
                "voucher_invalid",
                "voucher_already_used",
                "voucher_min_spend",
            ),
        },
    )
    def post(self, request: Request, cart_id: str) -> Response:
        cart = _cart(request, cart_id)
        _form(CompleteSerializer, request)
        try:
            done = actions.complete_checkout(
                _user(request), cart, key=request.headers.get("Idempotency-Key", ""), body=request.data
            )
        except OutOfStock as exc:
            return _out_of_stock(request, exc)
        body = OrderDetailSerializer(done.order, context={"history": history_of(done.order)}).data
        code = status.HTTP_200_OK if done.replayed else status.HTTP_201_CREATED
        return Response(body, status=code, headers={"Location": reverse("order-detail", kwargs={"pk": done.order.pk})})


class MergeView(APIView):
    @extend_schema(
        summary="Take a guest cart into yours",
        description="At sign-in: the guest cart's lines join the shopper's open cart (made if need be), quantities "
        "adding up within stock and the store's limits; the guest cart is closed.",
        request=MergeSerializer,
        responses={200: CartSerializer, **problems("invalid", "cart_closed")},
    )
    def post(self, request: Request) -> Response:
        user = signed_in_user(request)
        data = _form(MergeSerializer, request)
        guest = selectors.cart_by_id(data["cart"], token=data["token"], user=None)
        if guest is None:
            raise NotFound("No guest cart of this store has this id and token.")
        return _shown(actions.merge_guest_cart(user, guest))
