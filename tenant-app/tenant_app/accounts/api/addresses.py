"""The signed-in shopper's address book (/api/v1/me/addresses/): theirs alone, anyone else's are not found."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from tenant_app.access.permissions import ActionPermission
from tenant_app.access.policy import Context, scope
from tenant_app.accounts import actions
from tenant_app.accounts.api.serializers import AddressInputSerializer, AddressSerializer
from tenant_app.accounts.models import Address
from tenant_app.api import signed_in_user
from tenantry_kernel.web.openapi import problems

DEFAULT_FLAGS = {"is_default_shipping": "default_shipping", "is_default_billing": "default_billing"}


def _form(request: Request, *, partial: bool) -> tuple[dict[str, Any], dict[str, bool]]:
    """The address fields sent, and the default flags sent (as the actions' keyword arguments)."""
    form = AddressInputSerializer(data=request.data, partial=partial)
    form.is_valid(raise_exception=True)
    data = dict(form.validated_data)
    flags = {keyword: data.pop(flag) for flag, keyword in DEFAULT_FLAGS.items() if flag in data}
    return data, flags


@extend_schema_view(
    list=extend_schema(summary="List your addresses", description="Your address book, oldest first."),
    retrieve=extend_schema(summary="Read one of your addresses", description="Another shopper's is not found."),
)
class AddressViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet[Address]
):
    permission_classes = [ActionPermission]
    required_actions = {
        "list": "addresses.view",
        "retrieve": "addresses.view",
        "create": "addresses.create",
        "partial_update": "addresses.update",
        "destroy": "addresses.delete",
    }
    serializer_class = AddressSerializer
    pagination_class = None  # at most MAX_ADDRESSES_PER_USER
    lookup_value_regex = r"[0-9]{1,18}"
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self) -> QuerySet[Address]:
        if getattr(self, "swagger_fake_view", False):  # drf-spectacular reading the view for the schema
            return Address.objects.none()
        action_name = self.required_actions.get(self.action or "list", "addresses.view")
        return scope(self.request.user, action_name, Address.objects.order_by("id"), Context.of(self.request._request))

    @extend_schema(
        summary="Add an address",
        description="Checked against its country's rules and cleaned (state and prefecture codes, postal code "
        "format); your first address becomes your default for shipping and billing. `Location` is the address.",
        request=AddressInputSerializer,
        responses={201: AddressSerializer, **problems("invalid", "address_limit")},
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data, flags = _form(request, partial=False)
        address = actions.add_address(request._request, signed_in_user(request), data, **flags)
        location = reverse("address-detail", kwargs={"pk": address.pk})
        return Response(AddressSerializer(address).data, status=status.HTTP_201_CREATED, headers={"Location": location})

    @extend_schema(
        summary="Change an address",
        description="Only the fields sent change; the whole address is checked again. `is_default_shipping` or "
        "`is_default_billing` true makes it your default (the previous one stops being it).",
        request=AddressInputSerializer,
        responses={200: AddressSerializer, **problems("invalid")},
    )
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        address = self.get_object()
        data, flags = _form(request, partial=True)
        address = actions.update_address(request._request, signed_in_user(request), address, data, **flags)
        return Response(AddressSerializer(address).data)

    @extend_schema(
        summary="Delete an address",
        description="It leaves your book at once; another default is not chosen for you.",
        request=None,
        responses={204: None},
    )
    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        actions.delete_address(request._request, signed_in_user(request), self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)
