"""Portal API of tenants (a member's view), their members and invitations; ops API for platform staff."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404
from django.urls import reverse
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.permissions import AllowAny, IsAdminUser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from control_plane.accounts.actions import start_session
from control_plane.audit.actions import record
from control_plane.oidc import handoff
from control_plane.tenants import selectors
from control_plane.tenants.actions import lifecycle, members
from control_plane.tenants.api.serializers import (
    AcceptedInvitationSerializer,
    AcceptInvitationSerializer,
    DeleteTenantSerializer,
    InvitationSerializer,
    InviteSerializer,
    MemberSerializer,
    MyTenantSerializer,
    OpsActionSerializer,
    OpsTenantSerializer,
    RoleSerializer,
    StateFilterSerializer,
    StoreHandoffSerializer,
    TenantSerializer,
)
from control_plane.tenants.models import Invitation, MemberRole, Membership, Tenant, TenantState
from tenantry_kernel.web.exceptions import Conflict
from tenantry_kernel.web.openapi import problems
from tenantry_kernel.web.pagination import CursorPage

SLUG = OpenApiParameter("slug", str, OpenApiParameter.PATH, description="The store's slug, e.g. `acme`.")


def _membership(request: Request, slug: str) -> Membership:
    """The caller's membership of `slug`; 404 (not 403) for a tenant they do not belong to."""
    membership = selectors.membership_of(request.user, slug)
    if membership is None:
        raise Http404(f"You are not a member of a store {slug!r}.")
    return membership


def tenant_url(slug: str) -> str:
    """Where a member follows a store (its state, while it is provisioned or deleted)."""
    return reverse("tenant-detail", kwargs={"slug": slug})


class MembershipsBySlug(CursorPage):
    ordering = "tenant_slug"  # selectors.tenants_of


class TenantListView(generics.ListAPIView[Membership]):
    serializer_class = MyTenantSerializer
    pagination_class = MembershipsBySlug

    @extend_schema(
        summary="List your stores",
        description="The stores you are a member of, by slug, with your role in each; deleted ones are left out.",
        responses={200: MyTenantSerializer(many=True), **problems("invalid")},
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[Membership]:
        return selectors.tenants_of(self.request.user)


class TenantDetailView(APIView):
    @extend_schema(
        summary="Read a store",
        description="One of your stores, with your role; follow it while it is provisioned (`state`).",
        parameters=[SLUG],
        responses={200: MyTenantSerializer, **problems("not_found")},
    )
    def get(self, request: Request, slug: str) -> Response:
        membership = _membership(request, slug)
        return Response(MyTenantSerializer(membership).data)

    @extend_schema(
        summary="Delete a store",
        description=(
            "Owners only. The store stops serving and is torn down in the background: `Location` is the store, "
            "which answers 404 once it is gone. `deletion_policy=Retain` keeps its data (Delete by default)."
        ),
        parameters=[SLUG, DeleteTenantSerializer],
        request=None,
        responses={
            202: TenantSerializer,
            **problems("invalid", "permission_denied", "not_found", "invalid_transition"),
        },
    )
    def delete(self, request: Request, slug: str) -> Response:
        membership = _membership(request, slug)
        if membership.role != MemberRole.OWNER:
            raise PermissionDenied("Only an owner can delete the store.")
        payload = DeleteTenantSerializer(data=request.data or request.query_params)
        payload.is_valid(raise_exception=True)
        tenant = lifecycle.request_deletion(
            membership.tenant, policy=payload.validated_data["deletion_policy"], actor=request.user, request=request
        )
        return Response(
            TenantSerializer(tenant).data, status=status.HTTP_202_ACCEPTED, headers={"Location": tenant_url(slug)}
        )


class OpenStoreView(APIView):
    @extend_schema(
        summary="Open a store (single sign-on hand-off)",
        description=(
            "For the portal's server, with your session: a one-time URL on the platform's sign-in provider. The "
            "browser that follows it (within `expires_in` seconds, once) is signed in to the provider and sent on "
            "to the store, which signs you in through the platform. The store must be ready."
        ),
        parameters=[SLUG],
        request=None,
        responses={200: StoreHandoffSerializer, **problems("not_found", "tenant_not_ready")},
    )
    def post(self, request: Request, slug: str) -> Response:
        membership = _membership(request, slug)
        if membership.tenant.state != TenantState.READY or not membership.tenant.url:
            raise Conflict(
                f"The store is {membership.tenant.state}; it can be opened once it is ready.", code="tenant_not_ready"
            )
        code = handoff.issue(membership)
        record("oidc.handoff_issued", actor=request.user, tenant=slug, target=membership)
        return Response(
            {"url": handoff.handoff_url(request, code), "expires_in": handoff.TTL},
            headers={"Cache-Control": "no-store"},
        )


class MemberListView(generics.ListAPIView[Membership]):
    serializer_class = MemberSerializer

    @extend_schema(
        summary="List a store's members",
        description="Everyone who belongs to the store, in the order they joined; any member may see them.",
        parameters=[SLUG],
        responses={200: MemberSerializer(many=True), **problems("invalid", "not_found")},
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[Membership]:
        return selectors.members_of(_membership(self.request, self.kwargs["slug"]).tenant)


class MemberDetailView(APIView):
    def _member(self, request: Request, slug: str, member_id: int) -> Membership:
        tenant = _membership(request, slug).tenant
        member = selectors.members_of(tenant).filter(pk=member_id).first()
        if member is None:
            raise Http404(f"Store {slug!r} has no member {member_id}.")
        return member

    @extend_schema(
        summary="Change a member's role",
        description="Owners and admins manage members; only an owner makes or changes an owner, and the last "
        "owner stays one.",
        parameters=[SLUG],
        request=RoleSerializer,
        responses={
            200: MemberSerializer,
            **problems("invalid", "permission_denied", "not_found", "last_owner", "tenant_deleted"),
        },
    )
    def patch(self, request: Request, slug: str, member_id: int) -> Response:
        member = self._member(request, slug, member_id)
        payload = RoleSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        updated = members.change_member_role(
            member, payload.validated_data["role"], actor=request.user, request=request
        )
        return Response(MemberSerializer(updated).data)

    @extend_schema(
        summary="Remove a member",
        description="They lose access to the store and its workspace; the last owner cannot be removed.",
        parameters=[SLUG],
        responses={204: None, **problems("permission_denied", "not_found", "last_owner", "tenant_deleted")},
    )
    def delete(self, request: Request, slug: str, member_id: int) -> Response:
        members.remove_member(self._member(request, slug, member_id), actor=request.user, request=request)
        return Response(status=status.HTTP_204_NO_CONTENT)


class NewestFirst(CursorPage):
    ordering = "-pk"


class InvitationListView(generics.ListCreateAPIView[Invitation]):
    serializer_class = InvitationSerializer
    pagination_class = NewestFirst

    @extend_schema(
        summary="List open invitations",
        description="Invitations not yet accepted or revoked, newest first; for the store's owners and admins.",
        parameters=[SLUG],
        responses={200: InvitationSerializer(many=True), **problems("invalid", "permission_denied", "not_found")},
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[Invitation]:
        membership = _membership(self.request, self.kwargs["slug"])
        if membership.role not in members.MANAGERS:
            raise PermissionDenied("Only the store's owners and admins see its invitations.")
        return selectors.open_invitations_of(membership.tenant)

    @extend_schema(
        summary="Invite someone",
        description="Mails a link that is good for a week; accepting it makes them a member with the role. "
        "`Location` is the invitation (DELETE it to revoke).",
        parameters=[SLUG],
        request=InviteSerializer,
        responses={
            201: InvitationSerializer,
            **problems("invalid", "permission_denied", "not_found", "already_member", "tenant_deleted"),
        },
    )
    def post(self, request: Request, slug: str) -> Response:
        tenant = _membership(request, slug).tenant
        payload = InviteSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        invitation = members.invite_member(
            tenant, email=payload.validated_data["email"], role=payload.validated_data["role"], actor=request.user,
            request=request,
        )  # fmt: skip
        location = reverse("tenant-invitation", kwargs={"slug": slug, "invitation_id": invitation.pk})
        return Response(
            InvitationSerializer(invitation).data, status=status.HTTP_201_CREATED, headers={"Location": location}
        )


class InvitationDetailView(APIView):
    @extend_schema(
        summary="Revoke an invitation",
        description="Its link stops working; an accepted invitation cannot be revoked.",
        parameters=[SLUG],
        responses={204: None, **problems("permission_denied", "not_found", "invitation_closed", "tenant_deleted")},
    )
    def delete(self, request: Request, slug: str, invitation_id: int) -> Response:
        tenant = _membership(request, slug).tenant
        invitation = Invitation.objects.select_related("tenant").filter(tenant=tenant, pk=invitation_id).first()
        if invitation is None:
            raise Http404(f"Store {slug!r} has no invitation {invitation_id}.")
        members.revoke_invitation(invitation, actor=request.user, request=request)
        return Response(status=status.HTTP_204_NO_CONTENT)


class AcceptInvitationView(APIView):
    """Signed in: the invitation's address must be the caller's. Anonymous: a password creates the account."""

    permission_classes = [AllowAny]

    @extend_schema(
        summary="Accept an invitation",
        description=(
            "With the token from the invitation mail. Signed in, the invitation's address must be yours; "
            "without a token, a password creates the account for that address (and signs it in: `tokens`). "
            "`Location` is your new membership of the store."
        ),
        request=AcceptInvitationSerializer,
        responses={201: AcceptedInvitationSerializer, **problems("invalid", "permission_denied", "tenant_deleted")},
    )
    def post(self, request: Request) -> Response:
        payload = AcceptInvitationSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data: dict[str, Any] = payload.validated_data
        user = request.user
        tokens: dict[str, str] = {}
        with transaction.atomic():
            if user is None or not user.is_authenticated:
                if not data.get("password"):
                    raise ValidationError(
                        {"password": ["Sign in to accept, or choose a password to create your account."]},
                        code="required",
                    )
                user = members.create_invited_account(
                    data["token"], password=data["password"], full_name=data["full_name"], request=request
                )
                tokens = start_session(request, user, method="invitation").as_dict()
            membership = members.accept_invitation(data["token"], user=user, request=request)
        body = {"tenant": MyTenantSerializer(membership).data, **({"tokens": tokens} if tokens else {})}
        location = reverse("tenant-member", kwargs={"slug": membership.tenant.slug, "member_id": membership.pk})
        return Response(body, status=status.HTTP_201_CREATED, headers={"Location": location})


# -- ops --------------------------------------------------------------------------------------


def _tenant(slug: str) -> Tenant:
    tenant = Tenant.objects.filter(slug=slug).first()
    if tenant is None:
        raise Http404(f"There is no tenant {slug!r}.")
    return tenant


class TenantsBySlug(CursorPage):
    ordering = "slug"


class OpsTenantListView(generics.ListAPIView[Tenant]):
    permission_classes = [IsAdminUser]
    serializer_class = OpsTenantSerializer
    pagination_class = TenantsBySlug

    @extend_schema(
        summary="List every tenant (staff)",
        description="Platform staff only: every tenant with its provisioning status, by slug; `?state=` keeps "
        "one state.",
        parameters=[StateFilterSerializer],
        responses={200: OpsTenantSerializer(many=True), **problems("invalid", "permission_denied")},
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[Tenant]:
        query = StateFilterSerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        return selectors.tenants_for_ops(query.validated_data.get("state") or None)


class OpsTenantDetailView(APIView):
    permission_classes = [IsAdminUser]

    @extend_schema(
        summary="Read a tenant (staff)",
        description="Platform staff only: the tenant with its provisioning status; where suspend, resume and "
        "retry point to follow their work.",
        parameters=[SLUG],
        responses={200: OpsTenantSerializer, **problems("permission_denied", "not_found")},
    )
    def get(self, request: Request, slug: str) -> Response:
        return Response(OpsTenantSerializer(_tenant(slug)).data)


class OpsTenantActionView(APIView):
    """A lifecycle move by platform staff; the work goes on in the background, `Location` follows it."""

    permission_classes = [IsAdminUser]

    def post(self, request: Request, slug: str) -> Response:
        payload = OpsActionSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        tenant = self.act(_tenant(slug), payload.validated_data["reason"], request)
        location = reverse("ops-tenant", kwargs={"slug": tenant.slug})
        return Response(
            OpsTenantSerializer(tenant).data, status=status.HTTP_202_ACCEPTED, headers={"Location": location}
        )

    def act(self, tenant: Tenant, reason: str, request: Request) -> Tenant:
        raise NotImplementedError


def _ops_action(summary: str, description: str) -> Any:
    return extend_schema(
        summary=summary,
        description=f"Platform staff only. {description} The work goes on in the background: `Location` is the "
        "tenant, to follow its state.",
        parameters=[SLUG],
        request=OpsActionSerializer,
        responses={
            202: OpsTenantSerializer,
            **problems("invalid", "permission_denied", "not_found", "invalid_transition"),
        },
    )


@_ops_action("Suspend a tenant (staff)", "ready → suspended: its data is kept, its requests refused.")
class OpsSuspendView(OpsTenantActionView):
    def act(self, tenant: Tenant, reason: str, request: Request) -> Tenant:
        return lifecycle.suspend(tenant, reason=reason or "suspended by ops", actor=request.user, request=request)


@_ops_action("Resume a tenant (staff)", "suspended → ready: it serves again.")
class OpsResumeView(OpsTenantActionView):
    def act(self, tenant: Tenant, reason: str, request: Request) -> Tenant:
        return lifecycle.resume(tenant, reason=reason or "resumed by ops", actor=request.user, request=request)


@_ops_action("Retry provisioning (staff)", "A failed tenant is provisioned again from the start.")
class OpsRetryView(OpsTenantActionView):
    def act(self, tenant: Tenant, reason: str, request: Request) -> Tenant:
        return lifecycle.request_provisioning(
            tenant, actor=request.user, request=request, source="ops", reason=reason or "retried by ops"
        )
