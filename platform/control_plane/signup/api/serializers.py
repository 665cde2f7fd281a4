from __future__ import annotations

from typing import Any

from rest_framework import serializers

from control_plane.signup.selectors import slug_availability, slug_from_name
from control_plane.tenants.models import Plan
from tenantry_kernel.provisioning.display_names import display_name_errors


class SignupSerializer(serializers.Serializer[Any]):
    email = serializers.EmailField(max_length=254)
    password = serializers.CharField(max_length=128, write_only=True, trim_whitespace=False)
    full_name = serializers.CharField(max_length=150, required=False, allow_blank=True, default="")
    store_name = serializers.CharField(max_length=200)
    # The store's address; derived from its name when left out.
    slug = serializers.CharField(max_length=63, required=False, allow_blank=True, default="")
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
    slug = serializers.CharField(max_length=63, required=False, allow_blank=True, default="")
    store_name = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if not attrs["slug"] and not attrs["store_name"]:
            raise serializers.ValidationError({"slug": ["Give a slug or a store_name to check."]}, code="required")
        return attrs
