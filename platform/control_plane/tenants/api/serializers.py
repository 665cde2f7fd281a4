from __future__ import annotations

from typing import Any

from rest_framework import serializers

from control_plane.tenants.models import DeletionPolicy, Invitation, MemberRole, Membership, Tenant


class TenantSerializer(serializers.ModelSerializer[Tenant]):
    class Meta:
        model = Tenant
        fields = [
            "id", "slug", "name", "plan", "tier", "region", "state", "state_reason", "state_changed_at", "url",
            "created_at",
        ]  # fmt: skip
        read_only_fields = fields


class MyTenantSerializer(serializers.Serializer[Membership]):
    """A tenant as one of its members sees it in a list: with their role."""

    def to_representation(self, instance: Membership) -> dict[str, Any]:
        return {**TenantSerializer(instance.tenant).data, "role": instance.role}


class OpsTenantSerializer(serializers.ModelSerializer[Tenant]):
    class Meta:
        model = Tenant
        fields = [
            *TenantSerializer.Meta.fields, "conditions", "observed_generation", "shard", "provisioning_attempts",
            "deletion_policy", "updated_at",
        ]  # fmt: skip
        read_only_fields = fields


class DeleteTenantSerializer(serializers.Serializer[Any]):
    deletion_policy = serializers.ChoiceField(choices=DeletionPolicy.choices, default=DeletionPolicy.DELETE)


class MemberSerializer(serializers.ModelSerializer[Membership]):
    email = serializers.EmailField(source="user.email", read_only=True)
    full_name = serializers.CharField(source="user.full_name", read_only=True)

    class Meta:
        model = Membership
        fields = ["id", "email", "full_name", "role", "created_at"]
        read_only_fields = ["id", "email", "full_name", "created_at"]


class RoleSerializer(serializers.Serializer[Any]):
    role = serializers.ChoiceField(choices=MemberRole.choices)


class InvitationSerializer(serializers.ModelSerializer[Invitation]):
    invited_by = serializers.EmailField(source="invited_by.email", read_only=True, default=None)

    class Meta:
        model = Invitation
        fields = ["id", "email", "role", "invited_by", "created_at", "expires_at"]
        read_only_fields = ["id", "invited_by", "created_at", "expires_at"]


class InviteSerializer(serializers.Serializer[Any]):
    email = serializers.EmailField(max_length=254)
    role = serializers.ChoiceField(choices=MemberRole.choices)


class AcceptInvitationSerializer(serializers.Serializer[Any]):
    token = serializers.CharField(max_length=200)
    # For someone without an account: it is created with the invited address.
    password = serializers.CharField(max_length=128, required=False, write_only=True)
    full_name = serializers.CharField(max_length=150, required=False, allow_blank=True, default="")
