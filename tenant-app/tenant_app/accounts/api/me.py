"""Self-service: sign up, verify the address, reset or change the password, the profile and one's sessions."""

from __future__ import annotations

import uuid
from typing import Any

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from tenant_app.accounts import actions
from tenant_app.accounts.api.serializers import (
    LinkSerializer,
    MeSerializer,
    PasswordChangeSerializer,
    PasswordResetRequestSerializer,
    PasswordResetSerializer,
    ProfileSerializer,
    RegisterSerializer,
    SessionSerializer,
)
from tenant_app.accounts.models import RefreshFamily, User
from tenant_app.accounts.tokens import tenant_of
from tenant_app.api import signed_in_user
from tenantry_kernel.identity.sessions import family_of_token
from tenantry_kernel.identity.throttling import AccountEmailThrottle, PerAddressThrottle


class PublicEndpoint(APIView):
    permission_classes = [AllowAny]
    authentication_classes = []


def current_family(request: Request) -> uuid.UUID | None:
    """The session (refresh family) the request's access token belongs to."""
    return family_of_token(request.auth)  # a simplejwt AccessToken after TenantJWTAuthentication


def _me(request: Request, user: User) -> Response:
    return Response(MeSerializer(user, context={"tenant": tenant_of(request._request)}).data)


class RegisterView(PublicEndpoint):
    throttle_classes = [*APIView.throttle_classes, AccountEmailThrottle, PerAddressThrottle]

    @extend_schema(request=RegisterSerializer, responses={201: MeSerializer})
    def post(self, request: Request) -> Response:
        form = RegisterSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        user = actions.register(request._request, **form.validated_data)
        response = _me(request, user)
        response.status_code = status.HTTP_201_CREATED
        return response


class VerifyEmailView(PublicEndpoint):
    @extend_schema(request=LinkSerializer, responses={200: MeSerializer})
    def post(self, request: Request) -> Response:
        form = LinkSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        return _me(request, actions.verify_email(request._request, **form.validated_data))


class PasswordResetRequestView(PublicEndpoint):
    throttle_classes = [*APIView.throttle_classes, AccountEmailThrottle, PerAddressThrottle]

    @extend_schema(request=PasswordResetRequestSerializer, responses={202: None})
    def post(self, request: Request) -> Response:
        form = PasswordResetRequestSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        actions.request_password_reset(request._request, email=form.validated_data["email"])
        # The same answer whether or not the address has an account.
        return Response(status=status.HTTP_202_ACCEPTED)


class PasswordResetView(PublicEndpoint):
    @extend_schema(request=PasswordResetSerializer, responses={204: None})
    def post(self, request: Request) -> Response:
        form = PasswordResetSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        actions.reset_password(request._request, **form.validated_data)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: MeSerializer})
    def get(self, request: Request) -> Response:
        return _me(request, signed_in_user(request))

    @extend_schema(request=ProfileSerializer, responses={200: MeSerializer})
    def patch(self, request: Request) -> Response:
        form = ProfileSerializer(data=request.data, partial=True)
        form.is_valid(raise_exception=True)
        user = signed_in_user(request)
        if "full_name" in form.validated_data:
            user = actions.update_profile(request._request, user, full_name=form.validated_data["full_name"])
        return _me(request, user)


class EmailVerificationRequestView(APIView):
    permission_classes = [IsAuthenticated]
    throttle_classes = [*APIView.throttle_classes, AccountEmailThrottle]

    @extend_schema(request=None, responses={202: None})
    def post(self, request: Request) -> Response:
        actions.request_email_verification(request._request, signed_in_user(request))
        return Response(status=status.HTTP_202_ACCEPTED)


class PasswordChangeView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=PasswordChangeSerializer, responses={204: None})
    def post(self, request: Request) -> Response:
        form = PasswordChangeSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        actions.change_password(
            request._request,
            signed_in_user(request),
            current=form.validated_data["current_password"],
            new=form.validated_data["new_password"],
            session=current_family(request),
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class MySessionList(generics.ListAPIView[RefreshFamily]):
    """The signed-in user's active sessions (devices), newest first; `current` marks this one."""

    permission_classes = [IsAuthenticated]
    serializer_class = SessionSerializer
    pagination_class = None

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):  # drf-spectacular reading the view for the schema
            return RefreshFamily.objects.none()
        return RefreshFamily.objects.filter(user=signed_in_user(self.request), revoked_at__isnull=True).order_by(
            "-created_at"
        )

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "current_family": current_family(self.request)}


class MySessionDetail(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses={204: None})
    def delete(self, request: Request, session_id: uuid.UUID) -> Response:
        user = signed_in_user(request)
        family = get_object_or_404(RefreshFamily, id=session_id, user=user, revoked_at__isnull=True)
        actions.revoke_session(request._request, user, family)
        return Response(status=status.HTTP_204_NO_CONTENT)
