"""What signup reads and answers; the examples are what the OpenAPI schema shows."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiExample, extend_schema_serializer
from rest_framework import serializers

from control_plane.signup.selectors import slug_availability, slug_from_name
from control_plane.tenants.api.serializers import (
    TENANT_EXAMPLE,
    TOKENS_EXAMPLE,
    SessionTokensSerializer,
    TenantSerializer,
)
from control_plane.tenants.models import Plan
from tenantry_kernel.provisioning.display_names import display_name_errors
from tenantry_kernel.provisioning.naming import SLUG_MAX


@extend_schema_serializer(
    examples=[
        OpenApiExample(
            "A free store",
            value={"email": "owner@example.com", "password": "a long enough passphrase", "full_name": "Ana Lima",
                   "store_name": "Acme Coffee"},
            request_only=True,
        ),
        OpenApiExample(
            "A paid plan and a chosen address",
            value={"email": "owner@example.com", "password": "a long enough passphrase", "store_name": "Acme Coffee",
                   "slug": "acme-coffee", "plan": "starter"},
            request_only=True,
        ),
    ]
)  # fmt: skip
class SignupSerializer(serializers.Serializer[Any]):
    email = serializers.EmailField(max_length=254)
    password = serializers.CharField(max_length=128, write_only=True, trim_whitespace=False)
    full_name = serializers.CharField(max_length=150, required=False, allow_blank=True, default="")
    store_name = serializers.CharField(max_length=200)
    # The store's address; derived from its name when left out.
    slug = serializers.CharField(max_length=SLUG_MAX, required=False, allow_blank=True, default="")
    plan = serializers.ChoiceField(choices=Plan.choices, default=Plan.FREE)

    def validate_store_name(self, value: str) -> str:
        # The name becomes the Tenant resource's spec.displayName: the CRD's rules, refused here first.
        errors = display_name_errors(value, "The store name")
        if errors:
            raise serializers.ValidationError(errors, code="invalid")
        return value

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        slug = attrs.get("slug") or slug_from_name(attrs["store_name"])
        availability = slug_availability(slug)
        if not availability.available:
            raise serializers.ValidationError({"slug": [availability.message]}, code=availability.code)
        attrs["slug"] = slug
        return attrs


class SlugQuerySerializer(serializers.Serializer[Any]):
    """Give `slug` to check an address, or `store_name` to check the one it would make."""

    slug = serializers.CharField(max_length=SLUG_MAX, required=False, allow_blank=True, default="")
    store_name = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if not attrs["slug"] and not attrs["store_name"]:
            raise serializers.ValidationError({"slug": ["Give a slug or a store_name to check."]}, code="required")
        return attrs


class SignedUpUserSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    email = serializers.EmailField()
    full_name = serializers.CharField()
    email_verified = serializers.BooleanField()


class PendingSubscriptionSerializer(serializers.Serializer[Any]):
    """A paid plan waits for a payment method: add one, then subscribe at `url`."""

    plan = serializers.ChoiceField(choices=Plan.choices)
    status = serializers.ChoiceField(choices=["payment_method_required"])
    url = serializers.CharField()


@extend_schema_serializer(
    examples=[
        OpenApiExample(
            "A store on its way",
            value={
                "user": {"id": 12, "email": "owner@example.com", "full_name": "Ana Lima", "email_verified": False},
                "tenant": {**TENANT_EXAMPLE, "plan": "starter", "state": "pending", "url": ""},
                "subscription": {
                    "plan": "starter", "status": "payment_method_required", "url": "/api/v1/tenants/acme/subscription"
                },
                "tokens": TOKENS_EXAMPLE,
            },
            response_only=True,
            status_codes=["202"],
        )
    ]
)  # fmt: skip
class SignupResultSerializer(serializers.Serializer[Any]):
    """The owner's account (signed in: `tokens`) and the store, which is provisioned in the background."""

    user = SignedUpUserSerializer()
    tenant = TenantSerializer()
    subscription = PendingSubscriptionSerializer(required=False)
    tokens = SessionTokensSerializer()


@extend_schema_serializer(
    examples=[
        OpenApiExample("Free", value={"slug": "acme", "available": True, "code": "", "message": "", "suggestions": []},
                       response_only=True),
        OpenApiExample(
            "Taken",
            value={"slug": "acme", "available": False, "code": "slug_taken",
                   "message": "The store address 'acme' is taken; pick another.",
                   "suggestions": ["acme-2", "acme-shop", "acme-store"]},
            response_only=True,
        ),
    ]
)  # fmt: skip
class SlugAvailabilitySerializer(serializers.Serializer[Any]):
    """Whether a store address is free; if not, why (`code`: invalid_slug, reserved_slug or slug_taken) and others."""

    slug = serializers.CharField()
    available = serializers.BooleanField()
    code = serializers.CharField()
    message = serializers.CharField()
    suggestions = serializers.ListField(child=serializers.CharField())
