from __future__ import annotations

from typing import Any

from rest_framework import serializers

from control_plane.accounts.models import RefreshFamily, User


class SignInSerializer(serializers.Serializer[Any]):
    email = serializers.EmailField(max_length=254)
    password = serializers.CharField(max_length=4096, trim_whitespace=False)


class RefreshSerializer(serializers.Serializer[Any]):
    refresh = serializers.CharField(max_length=4096)


class LinkSerializer(serializers.Serializer[Any]):
    """The uid and token of an emailed link."""

    uid = serializers.CharField(max_length=64)
    token = serializers.CharField(max_length=128)


class EmailSerializer(serializers.Serializer[Any]):
    email = serializers.EmailField(max_length=254)


class CodeSerializer(serializers.Serializer[Any]):
    code = serializers.CharField(max_length=32)


class ChallengeSerializer(serializers.Serializer[Any]):
    challenge = serializers.CharField(max_length=512)


class ChallengeAnswerSerializer(ChallengeSerializer, CodeSerializer):
    pass


class MeSerializer(serializers.ModelSerializer[User]):
    email_verified = serializers.BooleanField(read_only=True)

    class Meta:
        model = User
        fields = ["id", "email", "full_name", "email_verified", "is_staff", "date_joined"]
        read_only_fields = fields


class SessionSerializer(serializers.ModelSerializer[RefreshFamily]):
    current = serializers.SerializerMethodField()

    class Meta:
        model = RefreshFamily
        fields = ["id", "method", "user_agent", "ip_address", "created_at", "last_used_at", "current"]

    def get_current(self, family: RefreshFamily) -> bool:
        return str(family.id) == str(self.context.get("current_session"))
