from __future__ import annotations

from typing import Any

from django.conf import settings
from rest_framework import serializers


class StartSerializer(serializers.Serializer[Any]):
    # Where the provider sends the person back; by default this API's callback on the store's host.
    redirect_uri = serializers.CharField(max_length=2000, required=False)

    def validate_redirect_uri(self, value: str) -> str:
        """Only this store's own origin or a registered app URI: the code must not be sent to a stranger."""
        own_origin = self.context["request"].build_absolute_uri("/")
        if "#" not in value and (value.startswith(own_origin) or value in settings.SSO_APP_REDIRECT_URIS):
            return value
        raise serializers.ValidationError(
            f"Use an address under {own_origin} or a registered app address.", code="redirect_uri_not_allowed"
        )


class CallbackSerializer(serializers.Serializer[Any]):
    """What the provider appends to the redirect URI: a code and our state, or an error."""

    state = serializers.CharField(max_length=200)
    code = serializers.CharField(max_length=2000, required=False, default="")
    error = serializers.CharField(max_length=200, required=False, default="")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if not attrs["code"] and not attrs["error"]:
            raise serializers.ValidationError({"code": ["This field is required."]}, code="required")
        return attrs


class ProviderSerializer(serializers.Serializer[Any]):
    id = serializers.CharField(help_text="Use in /auth/sso/<id>/start/.")
    name = serializers.CharField(help_text="What to put on the button.")
    protocol = serializers.ChoiceField(choices=["oidc", "github", "facebook"])


class ProviderListSerializer(serializers.Serializer[Any]):
    providers = ProviderSerializer(many=True)


class AuthorizationRequestSerializer(serializers.Serializer[Any]):
    authorization_url = serializers.CharField(help_text="Send the person's browser here.")
    state = serializers.CharField(help_text="Comes back with the redirect; valid once.")
    expires_in = serializers.IntegerField(help_text="Seconds the sign-in may take.")
