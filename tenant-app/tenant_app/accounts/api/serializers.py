"""The workspace's users in its API: members (users/), how the identity API shows the signed-in user
(Identity.me_serializer), customers' sign-up."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext
from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers
from rest_framework.exceptions import ErrorDetail

from tenant_app.accounts.models import Address, User
from tenant_app.accounts.tokens import tenant_of
from tenantry_kernel.addresses import FIELDS as ADDRESS_FIELDS
from tenantry_kernel.web.openapi import request_example, response_example

# The examples of the OpenAPI schema (tenantry_kernel.web.openapi).
USER = {
    "id": 12,
    "email": "dana@example.com",
    "full_name": "Dana Reyes",
    "role": {"slug": "admin", "name": "Administrator"},
    "email_verified": True,
    "is_active": True,
    "attributes": {"department": "sales"},
    "date_joined": "2026-03-02T09:13:58Z",
}


@extend_schema_serializer(
    examples=[
        request_example(
            "A customer",
            {"email": "sam@example.com", "password": "a long enough passphrase", "full_name": "Sam Okafor"},
        )
    ]
)
class RegisterSerializer(serializers.Serializer[Any]):
    email = serializers.EmailField(max_length=254)
    password = serializers.CharField(max_length=4096, trim_whitespace=False, write_only=True)
    full_name = serializers.CharField(max_length=150, required=False, allow_blank=True, default="")


class RoleRefSerializer(serializers.Serializer[Any]):
    slug = serializers.SlugField()
    name = serializers.CharField()


@extend_schema_serializer(examples=[response_example("An admin", USER)])
class UserSerializer(serializers.ModelSerializer[User]):
    role = RoleRefSerializer(read_only=True, allow_null=True)
    email_verified = serializers.BooleanField(read_only=True)

    class Meta:
        model = User
        fields = ["id", "email", "full_name", "role", "email_verified", "is_active", "attributes", "date_joined"]
        read_only_fields = ["id", "email", "role", "email_verified", "date_joined"]


@extend_schema_serializer(
    examples=[
        response_example("Signed in", {**USER, "tenant": "acme", "permissions": ["orders.view", "products.view"]})
    ]
)
class MeSerializer(UserSerializer):
    """The signed-in user: the kernel's fields (tenantry_kernel.identity.api.serializers.MeSerializer) and the
    workspace's: role, attributes, the store and what the role permits."""

    tenant = serializers.SerializerMethodField()
    permissions = serializers.SerializerMethodField()

    class Meta(UserSerializer.Meta):
        fields = [*UserSerializer.Meta.fields, "tenant", "permissions"]
        read_only_fields = [*UserSerializer.Meta.fields]

    def get_tenant(self, user: User) -> str:
        return tenant_of(self.context["request"]._request)

    def get_permissions(self, user: User) -> list[str]:
        return sorted(user.role.permissions) if user.role else []


@extend_schema_serializer(
    examples=[request_example("A packer", {"email": "sam@example.com", "full_name": "Sam Okafor", "role": "packer"})]
)
class InviteSerializer(serializers.Serializer[Any]):
    email = serializers.EmailField(max_length=254)
    full_name = serializers.CharField(max_length=150, required=False, allow_blank=True, default="")
    role = serializers.SlugField(required=False, allow_null=True, default=None)


@extend_schema_serializer(
    examples=[request_example("Back to work", {"is_active": True, "attributes": {"department": "shipping"}})]
)
class UserUpdateSerializer(serializers.Serializer[Any]):
    full_name = serializers.CharField(max_length=150, allow_blank=True, required=False)
    is_active = serializers.BooleanField(required=False)
    attributes = serializers.DictField(required=False)


ADDRESS = {
    "id": 7,
    "name": "Erika Mustermann",
    "company": "",
    "street_address_1": "Heidestraße 17",
    "street_address_2": "",
    "city": "Köln",
    "city_area": "",
    "country_area": "",
    "postal_code": "51147",
    "sorting_code": "",
    "country": "DE",
    "phone": "+49 221 123456",
    "is_default_shipping": True,
    "is_default_billing": True,
    "created_at": "2026-03-02T09:13:58Z",
    "updated_at": "2026-03-02T09:13:58Z",
}


@extend_schema_serializer(examples=[response_example("A German address", ADDRESS)])
class AddressSerializer(serializers.ModelSerializer[Address]):
    class Meta:
        model = Address
        fields = ["id", *ADDRESS_FIELDS, "is_default_shipping", "is_default_billing", "created_at", "updated_at"]
        read_only_fields = fields


def _address_field() -> serializers.CharField:
    # Lengths and rules are normalize_address's (its errors are the field errors); this only types the input.
    return serializers.CharField(required=False, allow_blank=True, trim_whitespace=False, max_length=10_000)


@extend_schema_serializer(
    examples=[
        request_example(
            "A German address",
            {key: value for key, value in ADDRESS.items() if key in ADDRESS_FIELDS and value}
            | {"is_default_shipping": True},
        )
    ]
)
class AddressInputSerializer(serializers.Serializer[Any]):
    """An address as its country writes it: `country` (ISO 3166 alpha-2), `name` and `street_address_1` always,
    the rest as the country requires (a US state, a Japanese prefecture, a postal code of the country's format)."""

    name = _address_field()
    company = _address_field()
    street_address_1 = _address_field()
    street_address_2 = _address_field()
    city = _address_field()
    city_area = _address_field()
    country_area = _address_field()
    postal_code = _address_field()
    sorting_code = _address_field()
    country = _address_field()
    phone = _address_field()
    is_default_shipping = serializers.BooleanField(required=False)
    is_default_billing = serializers.BooleanField(required=False)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        unknown = set(self.initial_data) - set(self.fields) if isinstance(self.initial_data, dict) else set()
        if unknown:
            raise serializers.ValidationError(
                {field: [ErrorDetail(gettext("An address has no such field."), "unknown_field")] for field in unknown}
            )
        return attrs
