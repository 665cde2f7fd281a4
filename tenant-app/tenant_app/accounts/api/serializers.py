from __future__ import annotations

from typing import Any

from rest_framework import serializers

from tenant_app.accounts.models import RefreshFamily, User


class SignInSerializer(serializers.Serializer[Any]):
    email = serializers.EmailField(max_length=254)
    password = serializers.CharField(max_length=4096, trim_whitespace=False)


class RefreshSerializer(serializers.Serializer[Any]):
    refresh = serializers.CharField(max_length=4096)


class TokenPairSerializer(serializers.Serializer[Any]):
    access = serializers.CharField()
    refresh = serializers.CharField()


class RegisterSerializer(serializers.Serializer[Any]):
    email = serializers.EmailField(max_length=254)
    password = serializers.CharField(max_length=4096, trim_whitespace=False, write_only=True)
    full_name = serializers.CharField(max_length=150, required=False, allow_blank=True, default="")


class LinkSerializer(serializers.Serializer[Any]):
    """The uid and token of an emailed link."""

    uid = serializers.CharField(max_length=64)
    token = serializers.CharField(max_length=128)


class PasswordResetRequestSerializer(serializers.Serializer[Any]):
    email = serializers.EmailField(max_length=254)


class PasswordResetSerializer(LinkSerializer):
    password = serializers.CharField(max_length=4096, trim_whitespace=False, write_only=True)


class PasswordChangeSerializer(serializers.Serializer[Any]):
    current_password = serializers.CharField(max_length=4096, trim_whitespace=False, write_only=True)
    new_password = serializers.CharField(max_length=4096, trim_whitespace=False, write_only=True)


class RoleRefSerializer(serializers.Serializer[Any]):
    slug = serializers.SlugField()
    name = serializers.CharField()


class UserSerializer(serializers.ModelSerializer[User]):
    role = RoleRefSerializer(read_only=True, allow_null=True)
    email_verified = serializers.BooleanField(read_only=True)

    class Meta:
        model = User
        fields = ["id", "email", "full_name", "role", "email_verified", "is_active", "attributes", "date_joined"]
        read_only_fields = ["id", "email", "role", "email_verified", "date_joined"]


class MeSerializer(UserSerializer):
    tenant = serializers.SerializerMethodField()
    permissions = serializers.SerializerMethodField()

    class Meta(UserSerializer.Meta):
        fields = [*UserSerializer.Meta.fields, "tenant", "permissions"]
        read_only_fields = [*UserSerializer.Meta.fields]

    def get_tenant(self, user: User) -> str:
        return str(self.context["tenant"])

    def get_permissions(self, user: User) -> list[str]:
        return sorted(user.role.permissions) if user.role else []


class ProfileSerializer(serializers.Serializer[Any]):
    full_name = serializers.CharField(max_length=150, allow_blank=True)


class InviteSerializer(serializers.Serializer[Any]):
    email = serializers.EmailField(max_length=254)
    full_name = serializers.CharField(max_length=150, required=False, allow_blank=True, default="")
    role = serializers.SlugField(required=False, allow_null=True, default=None)


class UserUpdateSerializer(serializers.Serializer[Any]):
    full_name = serializers.CharField(max_length=150, allow_blank=True, required=False)
    is_active = serializers.BooleanField(required=False)
    attributes = serializers.DictField(required=False)


class SessionSerializer(serializers.ModelSerializer[RefreshFamily]):
    current = serializers.SerializerMethodField()

    class Meta:
        model = RefreshFamily
        fields = ["id", "method", "user_agent", "ip_address", "created_at", "last_used_at", "current"]

    def get_current(self, family: RefreshFamily) -> bool:
        return str(family.id) == str(self.context.get("current_family"))
