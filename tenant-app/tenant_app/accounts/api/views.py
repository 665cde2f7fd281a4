"""Sign-in, token refresh, sign-out and the signed-in user."""

from __future__ import annotations

from drf_spectacular.utils import PolymorphicProxySerializer, extend_schema
from rest_framework import status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from tenant_app.accounts import actions
from tenant_app.accounts.api.serializers import RefreshSerializer, SignInSerializer, TokenPairSerializer
from tenant_app.twofactor.api.serializers import SecondFactorChallengeSerializer
from tenantry_kernel.identity.throttling import SignInThrottle


class TokenEndpoint(APIView):
    """Endpoints that take credentials in the body, not a bearer token."""

    permission_classes = [AllowAny]
    authentication_classes = []

    def get_authenticate_header(self, request: Request) -> str:
        # Failed credentials are 401 with a challenge, as on every other endpoint.
        return 'Bearer realm="api"'


class SignInView(TokenEndpoint):
    throttle_classes = [*APIView.throttle_classes, SignInThrottle]

    @extend_schema(
        request=SignInSerializer,
        responses={
            200: PolymorphicProxySerializer(
                component_name="SignInResult",
                serializers=[TokenPairSerializer, SecondFactorChallengeSerializer],
                # Tokens, or (a "status" says which step is next) a challenge to answer before them.
                resource_type_field_name=None,
            )
        },
    )
    def post(self, request: Request) -> Response:
        form = SignInSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        result = actions.sign_in(request._request, form.validated_data["email"], form.validated_data["password"])
        return Response(result.as_dict(), status=status.HTTP_200_OK)


class RefreshView(TokenEndpoint):
    @extend_schema(request=RefreshSerializer, responses={200: TokenPairSerializer})
    def post(self, request: Request) -> Response:
        form = RefreshSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        return Response(actions.rotate(request._request, form.validated_data["refresh"]).as_dict())


class SignOutView(TokenEndpoint):
    @extend_schema(request=RefreshSerializer, responses={204: None})
    def post(self, request: Request) -> Response:
        form = RefreshSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        actions.sign_out(request._request, form.validated_data["refresh"])
        return Response(status=status.HTTP_204_NO_CONTENT)
