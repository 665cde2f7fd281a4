"""Sign-in through an identity provider: list, start (authorization URL), callback (our tokens)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView

from tenant_app.sso import actions
from tenant_app.sso.api.serializers import (
    AuthorizationRequestSerializer,
    CallbackSerializer,
    ProviderListSerializer,
    StartSerializer,
)
from tenant_app.sso.providers import configured_providers, provider_named
from tenantry_kernel.identity.api.views import SIGN_IN_RESULT
from tenantry_kernel.web.throttling import FixedWindowThrottle


class SsoThrottle(FixedWindowThrottle, AnonRateThrottle):
    """Per client address: each start stores an attempt, each callback calls the provider."""

    scope = "sso"


class SsoEndpoint(APIView):
    """Before sign-in: no bearer token."""

    permission_classes = [AllowAny]
    authentication_classes = []
    throttle_classes = [*APIView.throttle_classes, SsoThrottle]


class ProviderList(SsoEndpoint):
    """The identity providers this store offers."""

    @extend_schema(responses={200: ProviderListSerializer})
    def get(self, request: Request) -> Response:
        providers = [
            {"id": provider.name, "name": provider.label, "protocol": provider.protocol}
            for provider in configured_providers().values()
        ]
        return Response({"providers": providers})


class StartView(SsoEndpoint):
    """Begin a sign-in: the provider's authorization URL; state, nonce and PKCE verifier stay here for one use."""

    @extend_schema(request=StartSerializer, responses={200: AuthorizationRequestSerializer})
    def post(self, request: Request, provider: str) -> Response:
        chosen = provider_named(provider)
        form = StartSerializer(data=request.data, context={"request": request})
        form.is_valid(raise_exception=True)
        redirect_uri = form.validated_data.get("redirect_uri") or reverse(
            "sso-callback", kwargs={"provider": chosen.name}, request=request
        )
        return Response(actions.begin_sign_in(request._request, chosen, redirect_uri=redirect_uri).as_dict())


class CallbackView(SsoEndpoint):
    """GET when the provider redirects here directly; POST when a front end took the redirect and passes it on."""

    @extend_schema(parameters=[CallbackSerializer], responses={200: SIGN_IN_RESULT})
    def get(self, request: Request, provider: str) -> Response:
        return self.finish(request, provider, request.query_params)

    @extend_schema(request=CallbackSerializer, responses={200: SIGN_IN_RESULT})
    def post(self, request: Request, provider: str) -> Response:
        return self.finish(request, provider, request.data)

    def finish(self, request: Request, provider: str, data: object) -> Response:
        chosen = provider_named(provider)
        form = CallbackSerializer(data=data)
        form.is_valid(raise_exception=True)
        result = actions.finish_sign_in(request._request, chosen, **form.validated_data)
        # Tokens must not be kept by any cache between here and the client (RFC 6749 §5.1).
        return Response(result.as_dict(), headers={"Cache-Control": "no-store"})
