"""Sign-in through an identity provider: list, start (authorization URL), callback (our tokens)."""

from __future__ import annotations

from django.http import HttpResponse
from drf_spectacular.utils import extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView

from tenant_app.sso import actions
from tenant_app.sso.api import pages
from tenant_app.sso.api.serializers import (
    AuthorizationRequestSerializer,
    CallbackSerializer,
    ProviderListSerializer,
    StartSerializer,
)
from tenant_app.sso.providers import configured_providers, provider_named
from tenantry_kernel.identity.api.views import SIGN_IN_EXAMPLES, SIGN_IN_RESULT
from tenantry_kernel.web.openapi import problems
from tenantry_kernel.web.throttling import FixedWindowThrottle

# What finishing a sign-in may answer besides tokens (tenant_app.sso.errors).
SSO_ERRORS = (
    "invalid", "sso_denied", "sso_state_invalid", "sso_code_invalid", "sso_id_token_invalid", "sso_email_missing",
    "sso_failed", "sso_conflict", "email_not_verified", "account_disabled", "sso_provider_unavailable",
)  # fmt: skip


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

    @extend_schema(
        summary="List sign-in providers",
        description="The identity providers this store offers a sign-in with (its buttons); public.",
        responses={200: ProviderListSerializer},
    )
    def get(self, request: Request) -> Response:
        providers = [
            {"id": provider.name, "name": provider.label, "protocol": provider.protocol}
            for provider in configured_providers().values()
        ]
        return Response({"providers": providers})


class StartView(SsoEndpoint):
    """Begin a sign-in: the provider's authorization URL; state, nonce and PKCE verifier stay here for one use."""

    @extend_schema(
        summary="Start a sign-in with a provider",
        description="The provider's authorization URL to send the browser to; it comes back to `redirect_uri` "
        "(by default this API's callback) with a code and the state, valid once.",
        request=StartSerializer,
        responses={200: AuthorizationRequestSerializer, **problems("invalid")},
    )
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

    @extend_schema(
        summary="Finish a sign-in (redirect)",
        description="Where the provider redirects the browser: our tokens, or a second-factor challenge, as a "
        "password sign-in answers.",
        parameters=[CallbackSerializer],
        responses={200: SIGN_IN_RESULT, **problems(*SSO_ERRORS)},
        examples=SIGN_IN_EXAMPLES,
    )
    def get(self, request: Request, provider: str) -> Response | HttpResponse:
        chosen = provider_named(provider)
        if actions.is_landing_attempt(chosen, str(request.query_params.get("state", ""))):
            # Begun by a browser (pages.BrowserSignIn): the store's landing page rather than JSON.
            return pages.landing(request._request, chosen, request.query_params)
        return self.finish(request, provider, request.query_params)

    @extend_schema(
        summary="Finish a sign-in (front end)",
        description="For a front end that took the provider's redirect itself: its query as the body. Answers as "
        "the redirect does.",
        request=CallbackSerializer,
        responses={200: SIGN_IN_RESULT, **problems(*SSO_ERRORS)},
        examples=SIGN_IN_EXAMPLES,
    )
    def post(self, request: Request, provider: str) -> Response:
        return self.finish(request, provider, request.data)

    def finish(self, request: Request, provider: str, data: object) -> Response:
        chosen = provider_named(provider)
        form = CallbackSerializer(data=data)
        form.is_valid(raise_exception=True)
        result = actions.finish_sign_in(request._request, chosen, **form.validated_data)
        # Tokens must not be kept by any cache between here and the client (RFC 6749 §5.1).
        return Response(result.as_dict(), headers={"Cache-Control": "no-store"})
