"""The workspace's members, for those whose role may manage them (the policy engine decides)."""

from __future__ import annotations

import uuid
from typing import Any

import django_filters
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from tenant_app.access.permissions import ActionPermission
from tenant_app.access.policy import Context, scope
from tenant_app.access.selectors import role_named
from tenant_app.accounts import actions
from tenant_app.accounts.api.serializers import InviteSerializer, UserSerializer, UserUpdateSerializer
from tenant_app.accounts.models import RefreshFamily, User
from tenant_app.api import signed_in_user
from tenantry_kernel.identity.api.serializers import SessionSerializer


class UserFilter(django_filters.FilterSet):
    role = django_filters.CharFilter(field_name="role__slug")
    email = django_filters.CharFilter(field_name="email", lookup_expr="icontains")
    email_verified = django_filters.BooleanFilter(field_name="email_verified_at", lookup_expr="isnull", exclude=True)

    class Meta:
        model = User
        fields = ["role", "is_active", "email", "email_verified"]


class UserViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet[User]
):
    permission_classes = [ActionPermission]
    required_actions = {
        "list": "users.view",
        "retrieve": "users.view",
        "create": "users.create",
        "partial_update": "users.update",
        "destroy": "users.delete",
        "sessions": "sessions.view",
        "revoke_session": "sessions.delete",
    }
    serializer_class = UserSerializer
    filterset_class = UserFilter
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self) -> Any:
        action_name = self.required_actions.get(self.action or "list", "users.view")
        users = User.objects.select_related("role").order_by("id")
        return scope(self.request.user, action_name, users, Context.of(self.request._request))

    @extend_schema(request=InviteSerializer, responses={201: UserSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        form = InviteSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        user = actions.invite_user(
            request._request,
            signed_in_user(request),
            email=data["email"],
            full_name=data["full_name"],
            role=role_named(data["role"]) if data["role"] is not None else None,
        )
        return Response(UserSerializer(user).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=UserUpdateSerializer, responses={200: UserSerializer})
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        user = self.get_object()
        form = UserUpdateSerializer(data=request.data, partial=True)
        form.is_valid(raise_exception=True)
        user = actions.update_user(request._request, signed_in_user(request), user, **form.validated_data)
        return Response(UserSerializer(user).data)

    @extend_schema(request=None, responses={204: None})
    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Deactivate the member (their history stays); PATCH is_active=true brings them back."""
        actions.deactivate_user(request._request, signed_in_user(request), self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(responses={200: SessionSerializer(many=True)})
    @action(detail=True, methods=["get"], pagination_class=None, filterset_class=None)
    def sessions(self, request: Request, pk: str) -> Response:
        user = self.get_object()
        families = RefreshFamily.objects.filter(user=user, revoked_at__isnull=True).order_by("-created_at")
        return Response(SessionSerializer(families, many=True).data)

    @extend_schema(request=None, responses={204: None})
    @action(detail=True, methods=["delete"], url_path=r"sessions/(?P<session_id>[0-9a-f-]{36})", filterset_class=None)
    def revoke_session(self, request: Request, pk: str, session_id: uuid.UUID) -> Response:
        user = self.get_object()
        family = get_object_or_404(RefreshFamily, id=session_id, user=user, revoked_at__isnull=True)
        actions.revoke_session(request._request, signed_in_user(request), family)
        return Response(status=status.HTTP_204_NO_CONTENT)
