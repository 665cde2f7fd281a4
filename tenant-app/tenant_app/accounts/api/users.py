"""The workspace's members, for those whose role may manage them (the policy engine decides)."""

from __future__ import annotations

import uuid
from typing import Any, cast

import django_filters
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.urls import reverse
from drf_spectacular.utils import extend_schema, extend_schema_view
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
from tenantry_kernel.identity.api.views import NewestFirst
from tenantry_kernel.web.openapi import problems

# A session's id, exactly: anything else names no session (404), not a bad one (400).
UUID = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"


class UserFilter(django_filters.FilterSet):
    role = django_filters.CharFilter(field_name="role__slug")
    email = django_filters.CharFilter(field_name="email", lookup_expr="icontains")
    email_verified = django_filters.BooleanFilter(field_name="email_verified_at", lookup_expr="isnull", exclude=True)

    class Meta:
        model = User
        fields = ["role", "is_active", "email", "email_verified"]


@extend_schema_view(
    list=extend_schema(
        summary="List members",
        description="The workspace's users you may see, in id order; filter by `role`, `is_active`, "
        "`email_verified` or `email` (contains).",
    ),
    retrieve=extend_schema(summary="Read a member", description="One user, with their role and attributes."),
)
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

    @extend_schema(
        summary="Invite a member",
        description="Creates the account and mails a link to choose a password; with `role` (a slug), or the "
        "default one. `Location` is the new member.",
        request=InviteSerializer,
        responses={201: UserSerializer, **problems("invalid")},
    )
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
        location = reverse("user-detail", kwargs={"pk": user.pk})
        return Response(UserSerializer(user).data, status=status.HTTP_201_CREATED, headers={"Location": location})

    @extend_schema(
        summary="Change a member",
        description="Their name, attributes, or `is_active` (false signs them out everywhere); only the fields "
        "sent change.",
        request=UserUpdateSerializer,
        responses={200: UserSerializer, **problems("invalid", "cannot_deactivate_self", "last_owner")},
    )
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        user = self.get_object()
        form = UserUpdateSerializer(data=request.data, partial=True)
        form.is_valid(raise_exception=True)
        user = actions.update_user(request._request, signed_in_user(request), user, **form.validated_data)
        return Response(UserSerializer(user).data)

    @extend_schema(
        summary="Deactivate a member",
        description="They are signed out everywhere and their history stays; PATCH `is_active: true` brings them back.",
        request=None,
        responses={204: None, **problems("cannot_deactivate_self", "last_owner")},
    )
    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        actions.deactivate_user(request._request, signed_in_user(request), self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        summary="List a member's sessions",
        description="Their open sessions (one per sign-in on a device), newest first.",
        responses={200: SessionSerializer(many=True)},
    )
    @action(detail=True, methods=["get"], pagination_class=NewestFirst, filterset_class=None)
    def sessions(self, request: Request, pk: str) -> Response:
        user = self.get_object()
        families: QuerySet[RefreshFamily] = RefreshFamily.objects.filter(user=user, revoked_at__isnull=True)
        page = self.paginate_queryset(cast(Any, families))  # the viewset's paginator, typed for its users
        return self.get_paginated_response(SessionSerializer(page, many=True).data)

    @extend_schema(
        summary="Sign a member's session out",
        description="Its tokens stop working at once.",
        request=None,
        responses={204: None},
    )
    @action(detail=True, methods=["delete"], url_path=rf"sessions/(?P<session_id>{UUID})", filterset_class=None)
    def revoke_session(self, request: Request, pk: str, session_id: uuid.UUID) -> Response:
        user = self.get_object()
        family = get_object_or_404(RefreshFamily, id=session_id, user=user, revoked_at__isnull=True)
        actions.revoke_session(request._request, signed_in_user(request), family)
        return Response(status=status.HTTP_204_NO_CONTENT)
