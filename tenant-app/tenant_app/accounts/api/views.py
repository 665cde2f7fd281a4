"""Sign-up of a store's customers (the rest of signing in is the kernel's identity API, under /api/v1/auth/)."""

from __future__ import annotations

from django.urls import reverse
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from tenant_app.accounts import actions
from tenant_app.accounts.api.serializers import MeSerializer, RegisterSerializer
from tenantry_kernel.identity.throttling import AccountEmailThrottle, PerAddressThrottle
from tenantry_kernel.web.openapi import problems


class RegisterView(APIView):
    """Sign up as a customer of the store: the account exists at once, its address is confirmed by an emailed link."""

    permission_classes = [AllowAny]
    authentication_classes = []
    throttle_classes = [*APIView.throttle_classes, AccountEmailThrottle, PerAddressThrottle]

    @extend_schema(
        summary="Sign up as a customer",
        description="The account exists at once; its address is confirmed by a mailed link. Sign in (POST "
        "auth/sign-in/) for tokens: `Location` is the account, as GET auth/me/ shows it then.",
        request=RegisterSerializer,
        responses={201: MeSerializer, **problems("invalid")},
    )
    def post(self, request: Request) -> Response:
        form = RegisterSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        user = actions.register(request._request, **form.validated_data)
        body = MeSerializer(user, context={"request": request}).data
        return Response(body, status=status.HTTP_201_CREATED, headers={"Location": reverse("auth-me")})
