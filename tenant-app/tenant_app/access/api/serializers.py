"""The shapes of roles, policies and the permission catalog in the REST API."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers

from tenant_app.access import conditions, permission_catalog
from tenant_app.access.models import Policy, Role
from tenantry_kernel.web.openapi import request_example, response_example

# The examples of the OpenAPI schema (tenantry_kernel.web.openapi).
ROLE = {
    "slug": "packer",
    "name": "Packer",
    "description": "Packs and ships orders.",
    "builtin": False,
    "permissions": ["orders.view", "products.view"],
    "requires_two_factor": False,
    "created_at": "2026-03-02T09:30:00Z",
    "updated_at": "2026-03-02T09:30:00Z",
}
POLICY = {
    "name": "packers-see-paid-orders",
    "description": "Packers see paid orders only.",
    "effect": "allow",
    "actions": ["orders.view"],
    "roles": ["packer"],
    "condition": "resource.status == 'paid'",
    "enabled": True,
    "created_at": "2026-03-02T09:40:00Z",
    "updated_at": "2026-03-02T09:40:00Z",
}


def _permissions(**options: Any) -> serializers.ListField:
    """A list of "<resource>.<verb>" strings (a fresh field each time: DRF binds a child field to one parent)."""
    permission = serializers.CharField(max_length=80)
    return serializers.ListField(child=permission, max_length=len(permission_catalog.PERMISSIONS), **options)


@extend_schema_serializer(examples=[response_example("Packer", ROLE)])
class RoleSerializer(serializers.ModelSerializer[Role]):
    class Meta:
        model = Role
        fields = [
            "slug",
            "name",
            "description",
            "builtin",
            "permissions",
            "requires_two_factor",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


@extend_schema_serializer(
    examples=[
        request_example(
            "Packer",
            {
                "slug": "packer",
                "name": "Packer",
                "description": "Packs and ships orders.",
                "permissions": ["orders.view", "products.view"],
                "requires_two_factor": False,
            },
        )
    ]
)
class RoleCreateSerializer(serializers.Serializer[Any]):
    slug = serializers.SlugField(max_length=50)
    name = serializers.CharField(max_length=100)
    description = serializers.CharField(max_length=300, allow_blank=True, default="")
    permissions = _permissions(default=list)
    requires_two_factor = serializers.BooleanField(default=False)


@extend_schema_serializer(examples=[request_example("Two-factor from now on", {"requires_two_factor": True})])
class RoleUpdateSerializer(serializers.Serializer[Any]):
    """Only the fields sent change (PATCH)."""

    name = serializers.CharField(max_length=100, required=False)
    description = serializers.CharField(max_length=300, allow_blank=True, required=False)
    permissions = _permissions(required=False)
    requires_two_factor = serializers.BooleanField(required=False)


@extend_schema_serializer(examples=[response_example("Paid orders only", POLICY)])
class PolicySerializer(serializers.ModelSerializer[Policy]):
    roles: serializers.SlugRelatedField[Role] = serializers.SlugRelatedField(
        slug_field="slug", many=True, read_only=True
    )

    class Meta:
        model = Policy
        fields = [
            "name",
            "description",
            "effect",
            "actions",
            "roles",
            "condition",
            "enabled",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


@extend_schema_serializer(
    examples=[
        request_example(
            "Paid orders only",
            {
                "name": "packers-see-paid-orders",
                "description": "Packers see paid orders only.",
                "effect": "allow",
                "actions": ["orders.view"],
                "roles": ["packer"],
                "condition": "resource.status == 'paid'",
            },
        )
    ]
)
class PolicyWriteSerializer(serializers.Serializer[Any]):
    """A policy as sent: all fields on create, the ones to change on PATCH (`name` is fixed once made)."""

    name = serializers.SlugField(max_length=60)
    description = serializers.CharField(max_length=300, allow_blank=True, default="")
    effect = serializers.ChoiceField(choices=Policy.Effect.choices)
    actions = serializers.ListField(child=serializers.CharField(max_length=80), allow_empty=False, max_length=100)
    roles = serializers.SlugRelatedField(slug_field="slug", many=True, queryset=Role.objects.all(), default=list)
    condition = serializers.CharField(max_length=conditions.MAX_LENGTH, allow_blank=True, default="")
    enabled = serializers.BooleanField(default=True)


@extend_schema_serializer(examples=[request_example("Switch it off", {"enabled": False})])
class PolicyUpdateSerializer(PolicyWriteSerializer):
    def get_fields(self) -> dict[str, serializers.Field[Any, Any, Any, Any]]:
        fields = super().get_fields()
        del fields["name"]
        return fields


class PermissionSerializer(serializers.Serializer[Any]):
    action = serializers.CharField()
    description = serializers.CharField()
    owner_only = serializers.BooleanField()


@extend_schema_serializer(
    examples=[
        response_example(
            "Two of them",
            {
                "next": None,
                "previous": None,
                "results": [
                    {"action": "orders.view", "description": "See orders", "owner_only": False},
                    {"action": "billing.manage", "description": "Change the plan and payment", "owner_only": True},
                ],
            },
        )
    ]
)
class PermissionCatalogSerializer(serializers.Serializer[Any]):
    """Every permission: a short, fixed list, shaped as a list's page (the only one: no links)."""

    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = PermissionSerializer(many=True)


@extend_schema_serializer(examples=[request_example("Make them a packer", {"role": "packer"})])
class RoleAssignmentSerializer(serializers.Serializer[Any]):
    role = serializers.SlugRelatedField(slug_field="slug", queryset=Role.objects.all())


@extend_schema_serializer(examples=[response_example("Now a packer", {"user": 12, "role": "packer"})])
class RoleAssignedSerializer(serializers.Serializer[Any]):
    user = serializers.IntegerField()
    role = serializers.CharField()
