"""Sign-in, token refresh, sign-out and the signed-in user."""

from __future__ import annotations

from rest_framework import status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView

from tenant_app.accounts import actions
from tenant_app.accounts.api.serializers import MeSerializer, RefreshSerializer, SignInSerializer
from tenant_app.accounts.tokens import tenant_of


class SignInThrottle(AnonRateThrottle):
    scope = "sign_in"
    rate = "10/min"


class TokenEndpoint(APIView):
    """Endpoints that take credentials in the body, not a bearer token."""

    permission_classes = [AllowAny]
    authentication_classes = []

    def get_authenticate_header(self, request: Request) -> str:
        # Failed credentials are 401 with a challenge, as on every other endpoint.
        return 'Bearer realm="api"'


class SignInView(TokenEndpoint):
    throttle_classes = [SignInThrottle]

    def post(self, request: Request) -> Response:
        form = SignInSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        pair = actions.sign_in(request._request, form.validated_data["email"], form.validated_data["password"])
        return Response(pair.as_dict(), status=status.HTTP_200_OK)


class RefreshView(TokenEndpoint):
    def post(self, request: Request) -> Response:
        form = RefreshSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        return Response(actions.rotate(request._request, form.validated_data["refresh"]).as_dict())


class SignOutView(TokenEndpoint):
    def post(self, request: Request) -> Response:
        form = RefreshSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        actions.sign_out(request._request, form.validated_data["refresh"])
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeView(APIView):
    permission_classes = [IsAuthenticated]

    def get(self, request: Request) -> Response:
        user = request.user
        data = {"id": user.pk, "email": getattr(user, "email", ""), "tenant": tenant_of(request._request)}
        return Response(MeSerializer(data).data)
