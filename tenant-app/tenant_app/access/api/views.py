"""Roles, policies, the permission catalog, and giving a member a role; the policy engine guards each."""

from __future__ import annotations

import django_filters
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.urls import reverse
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from tenant_app.access import actions, permission_catalog
from tenant_app.access.api.serializers import (
    PermissionCatalogSerializer,
    PolicySerializer,
    PolicyUpdateSerializer,
    PolicyWriteSerializer,
    RoleAssignedSerializer,
    RoleAssignmentSerializer,
    RoleCreateSerializer,
    RoleSerializer,
    RoleUpdateSerializer,
)
from tenant_app.access.models import Policy, Role
from tenant_app.access.permissions import ActionPermission
from tenant_app.access.policy import Context, scope
from tenant_app.accounts.models import User
from tenant_app.api import signed_in_user
from tenantry_kernel.web.openapi import problems
from tenantry_kernel.web.pagination import one_page


class RoleFilter(django_filters.FilterSet):
    permission = django_filters.CharFilter(method="holding", label="Roles that hold this permission")

    class Meta:
        model = Role
        fields = ["builtin", "requires_two_factor"]

    def holding(self, queryset: QuerySet[Role], name: str, value: str) -> QuerySet[Role]:
        return queryset.filter(permissions__contains=[value])


class PolicyFilter(django_filters.FilterSet):
    action = django_filters.CharFilter(method="applying_to", label="Policies that apply to this action")
    role = django_filters.CharFilter(field_name="roles__slug", distinct=True)

    class Meta:
        model = Policy
        fields = ["effect", "enabled"]

    def applying_to(self, queryset: QuerySet[Policy], name: str, value: str) -> QuerySet[Policy]:
        # Wildcards apply too: `orders.*` and `*` cover orders.view.
        return queryset.filter(actions__overlap=[value, f"{value.split('.', 1)[0]}.*", "*"])


@extend_schema_view(
    list=extend_schema(
        summary="List roles",
        description="The workspace's roles, built-in and its own; filter by `builtin`, `requires_two_factor` or "
        "`permission` (roles that hold it).",
    ),
    retrieve=extend_schema(summary="Read a role", description="One role, with the permissions it holds."),
)
class RoleViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[Role]):
    permission_classes = [ActionPermission]
    required_actions = {
        "list": "roles.view",
        "retrieve": "roles.view",
        "create": "roles.create",
        "partial_update": "roles.update",
        "destroy": "roles.delete",
    }
    serializer_class = RoleSerializer
    filterset_class = RoleFilter
    lookup_field = "slug"
    http_method_names = ["get", "post", "patch", "delete", "head"]

    def get_queryset(self) -> QuerySet[Role]:
        # Found when visible; whether it may be changed is the object permission's call (403, not 404).
        return scope(self.request.user, "roles.view", Role.objects.order_by("id"), Context.of(self.request._request))

    @extend_schema(
        summary="Add a role",
        description="A role of the workspace's own, with permissions from the catalog (GET permissions/); "
        "`Location` is the new role.",
        request=RoleCreateSerializer,
        responses={201: RoleSerializer, **problems("invalid")},
    )
    def create(self, request: Request) -> Response:
        form = RoleCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        role = actions.create_role(request._request, signed_in_user(request), **form.validated_data)
        location = reverse("role-detail", kwargs={"slug": role.slug})
        return Response(RoleSerializer(role).data, status=status.HTTP_201_CREATED, headers={"Location": location})

    @extend_schema(
        summary="Change a role",
        description="Only the fields sent change; its members hold the new permissions at once.",
        request=RoleUpdateSerializer,
        responses={200: RoleSerializer, **problems("invalid")},
    )
    def partial_update(self, request: Request, slug: str) -> Response:
        role = self.get_object()
        form = RoleUpdateSerializer(data=request.data, partial=True)
        form.is_valid(raise_exception=True)
        role = actions.update_role(request._request, signed_in_user(request), role, **form.validated_data)
        return Response(RoleSerializer(role).data)

    @extend_schema(
        summary="Delete a role",
        description="Not a built-in one, nor one that members or policies still use.",
        responses={204: None, **problems("builtin_role", "role_in_use")},
    )
    def destroy(self, request: Request, slug: str) -> Response:
        actions.delete_role(request._request, signed_in_user(request), self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema_view(
    list=extend_schema(
        summary="List policies",
        description="The workspace's access policies; filter by `effect`, `enabled`, `role` or `action` (policies "
        "that apply to it, wildcards included).",
    ),
    retrieve=extend_schema(summary="Read a policy", description="One policy, with its condition."),
)
class PolicyViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[Policy]):
    permission_classes = [ActionPermission]
    required_actions = {
        "list": "policies.view",
        "retrieve": "policies.view",
        "create": "policies.create",
        "partial_update": "policies.update",
        "destroy": "policies.delete",
    }
    serializer_class = PolicySerializer
    filterset_class = PolicyFilter
    lookup_field = "name"
    http_method_names = ["get", "post", "patch", "delete", "head"]

    def get_queryset(self) -> QuerySet[Policy]:
        policies = Policy.objects.prefetch_related("roles").order_by("id")
        return scope(self.request.user, "policies.view", policies, Context.of(self.request._request))

    @extend_schema(
        summary="Add a policy",
        description="Allows or denies actions to roles, under a condition on the user, the object and the request; "
        "a deny wins. `Location` is the new policy.",
        request=PolicyWriteSerializer,
        responses={201: PolicySerializer, **problems("invalid")},
    )
    def create(self, request: Request) -> Response:
        form = PolicyWriteSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        policy = actions.create_policy(request._request, signed_in_user(request), **form.validated_data)
        location = reverse("policy-detail", kwargs={"name": policy.name})
        return Response(PolicySerializer(policy).data, status=status.HTTP_201_CREATED, headers={"Location": location})

    @extend_schema(
        summary="Change a policy",
        description="Only the fields sent change (its `name` stays); it applies at once.",
        request=PolicyUpdateSerializer,
        responses={200: PolicySerializer, **problems("invalid")},
    )
    def partial_update(self, request: Request, name: str) -> Response:
        policy = self.get_object()
        form = PolicyUpdateSerializer(data=request.data, partial=True)
        form.is_valid(raise_exception=True)
        policy = actions.update_policy(request._request, signed_in_user(request), policy, **form.validated_data)
        return Response(PolicySerializer(policy).data)

    @extend_schema(
        summary="Delete a policy",
        description="It stops applying at once.",
        responses={204: None},
    )
    def destroy(self, request: Request, name: str) -> Response:
        actions.delete_policy(request._request, signed_in_user(request), self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


class PermissionCatalogView(APIView):
    """Every permission a role can hold; `owner_only` ones stay with the owner role."""

    permission_classes = [ActionPermission]
    required_actions = {"GET": "roles.view"}

    @extend_schema(
        operation_id="permissions_list",
        summary="List the permissions",
        description="Every permission a role can hold, with what it allows; `owner_only` ones stay with the owner "
        "role. A short, fixed list: one page, `next` is null.",
        responses={200: PermissionCatalogSerializer},
    )
    def get(self, request: Request) -> Response:
        results = [
            {"action": action, "description": description, "owner_only": action in permission_catalog.OWNER_ONLY}
            for action, description in permission_catalog.PERMISSIONS.items()
        ]
        return Response(PermissionCatalogSerializer(one_page(results)).data)


class UserRoleView(APIView):
    permission_classes = [ActionPermission]
    required_actions = {"PUT": "roles.assign"}

    @extend_schema(
        summary="Give a member a role",
        description="Only an owner grants or takes away the owner role, nobody a role holding permissions they lack, "
        "and the workspace keeps an owner.",
        request=RoleAssignmentSerializer,
        responses={200: RoleAssignedSerializer, **problems("invalid", "last_owner")},
    )
    def put(self, request: Request, user_id: int) -> Response:
        users = scope(request.user, "roles.assign", User.objects.all(), Context.of(request._request))
        user = get_object_or_404(users, pk=user_id)
        self.check_object_permissions(request, user)
        form = RoleAssignmentSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        role = form.validated_data["role"]
        actions.assign_role(request._request, signed_in_user(request), user, role)
        return Response(RoleAssignedSerializer({"user": user.pk, "role": role.slug}).data)
