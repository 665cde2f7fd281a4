from __future__ import annotations

from typing import Any

from django.conf import settings
from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers

from tenantry_kernel.web.openapi import request_example, response_example


@extend_schema_serializer(
    examples=[
        request_example("Back to the front end", {"redirect_uri": "https://acme.example.com/sso/callback"}),
        request_example("Back here", {}),
    ]
)
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


@extend_schema_serializer(
    examples=[request_example("The redirect's query", {"state": "st_7Yk2", "code": "4/0AX4XfWh"})]
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


@extend_schema_serializer(
    examples=[
        response_example(
            "Two",
            {
                "providers": [
                    {"id": "platform", "name": "Tenantry", "protocol": "oidc"},
                    {"id": "github", "name": "GitHub", "protocol": "github"},
                ]
            },
        )
    ]
)
class ProviderListSerializer(serializers.Serializer[Any]):
    providers = ProviderSerializer(many=True)


@extend_schema_serializer(
    examples=[
        response_example(
            "GitHub",
            {
                "authorization_url": "https://github.com/login/oauth/authorize?client_id=Iv1.8a61&state=st_7Yk2",
                "state": "st_7Yk2",
                "expires_in": 600,
            },
        )
    ]
)
class AuthorizationRequestSerializer(serializers.Serializer[Any]):
    authorization_url = serializers.CharField(help_text="Send the person's browser here.")
    state = serializers.CharField(help_text="Comes back with the redirect; valid once.")
    expires_in = serializers.IntegerField(help_text="Seconds the sign-in may take.")
