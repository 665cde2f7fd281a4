"""Sign-up of a store's customers (the rest of signing in is the kernel's identity API, under /api/v1/auth/)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from tenant_app.accounts import actions
from tenant_app.accounts.api.serializers import MeSerializer, RegisterSerializer
from tenantry_kernel.identity.throttling import AccountEmailThrottle, PerAddressThrottle


class RegisterView(APIView):
    """Sign up as a customer of the store: the account exists at once, its address is confirmed by an emailed link."""

    permission_classes = [AllowAny]
    authentication_classes = []
    throttle_classes = [*APIView.throttle_classes, AccountEmailThrottle, PerAddressThrottle]

    @extend_schema(request=RegisterSerializer, responses={201: MeSerializer})
    def post(self, request: Request) -> Response:
        form = RegisterSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        user = actions.register(request._request, **form.validated_data)
        return Response(MeSerializer(user, context={"request": request}).data, status=status.HTTP_201_CREATED)
