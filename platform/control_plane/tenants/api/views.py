"""Portal API of tenants (a member's view), their members and invitations; ops API for platform staff."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.http import Http404
from rest_framework import status
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.permissions import AllowAny, IsAdminUser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from control_plane.accounts.actions import start_session
from control_plane.tenants import selectors
from control_plane.tenants.actions import lifecycle, members
from control_plane.tenants.api.serializers import (
    AcceptInvitationSerializer,
    DeleteTenantSerializer,
    InvitationSerializer,
    InviteSerializer,
    MemberSerializer,
    MyTenantSerializer,
    OpsTenantSerializer,
    RoleSerializer,
    TenantSerializer,
)
from control_plane.tenants.models import Invitation, MemberRole, Membership, Tenant, TenantState


def _membership(request: Request, slug: str) -> Membership:
    """The caller's membership of `slug`; 404 (not 403) for a tenant they do not belong to."""
    membership = selectors.membership_of(request.user, slug)
    if membership is None:
        raise Http404(f"You are not a member of a store {slug!r}.")
    return membership


class TenantListView(APIView):
    def get(self, request: Request) -> Response:
        memberships = selectors.tenants_of(request.user)
        return Response({"results": [MyTenantSerializer(m).data for m in memberships]})


class TenantDetailView(APIView):
    def get(self, request: Request, slug: str) -> Response:
        membership = _membership(request, slug)
        return Response(MyTenantSerializer(membership).data)

    def delete(self, request: Request, slug: str) -> Response:
        membership = _membership(request, slug)
        if membership.role != MemberRole.OWNER:
            raise PermissionDenied("Only an owner can delete the store.")
        payload = DeleteTenantSerializer(data=request.data or request.query_params)
        payload.is_valid(raise_exception=True)
        tenant = lifecycle.request_deletion(
            membership.tenant, policy=payload.validated_data["deletion_policy"], actor=request.user, request=request
        )
        return Response(TenantSerializer(tenant).data, status=status.HTTP_202_ACCEPTED)


class MemberListView(APIView):
    def get(self, request: Request, slug: str) -> Response:
        tenant = _membership(request, slug).tenant
        return Response({"results": MemberSerializer(selectors.members_of(tenant), many=True).data})


class MemberDetailView(APIView):
    def _member(self, request: Request, slug: str, member_id: int) -> Membership:
        tenant = _membership(request, slug).tenant
        member = selectors.members_of(tenant).filter(pk=member_id).first()
        if member is None:
            raise Http404(f"Store {slug!r} has no member {member_id}.")
        return member

    def patch(self, request: Request, slug: str, member_id: int) -> Response:
        member = self._member(request, slug, member_id)
        payload = RoleSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        updated = members.change_member_role(
            member, payload.validated_data["role"], actor=request.user, request=request
        )
        return Response(MemberSerializer(updated).data)

    def delete(self, request: Request, slug: str, member_id: int) -> Response:
        members.remove_member(self._member(request, slug, member_id), actor=request.user, request=request)
        return Response(status=status.HTTP_204_NO_CONTENT)


class InvitationListView(APIView):
    def get(self, request: Request, slug: str) -> Response:
        membership = _membership(request, slug)
        if membership.role not in members.MANAGERS:
            raise PermissionDenied("Only the store's owners and admins see its invitations.")
        invitations = selectors.open_invitations_of(membership.tenant)
        return Response({"results": InvitationSerializer(invitations, many=True).data})

    def post(self, request: Request, slug: str) -> Response:
        tenant = _membership(request, slug).tenant
        payload = InviteSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        invitation = members.invite_member(
            tenant, email=payload.validated_data["email"], role=payload.validated_data["role"], actor=request.user,
            request=request,
        )  # fmt: skip
        return Response(InvitationSerializer(invitation).data, status=status.HTTP_201_CREATED)


class InvitationDetailView(APIView):
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
        return Response(body, status=status.HTTP_201_CREATED)


# -- ops --------------------------------------------------------------------------------------


def _tenant(slug: str) -> Tenant:
    tenant = Tenant.objects.filter(slug=slug).first()
    if tenant is None:
        raise Http404(f"There is no tenant {slug!r}.")
    return tenant


class OpsTenantListView(APIView):
    permission_classes = [IsAdminUser]

    def get(self, request: Request) -> Response:
        state = request.query_params.get("state") or None
        if state is not None and state not in TenantState.values:
            raise ValidationError({"state": [f"Unknown state {state!r}; use one of {', '.join(TenantState.values)}."]})
        tenants = selectors.tenants_for_ops(state)
        return Response({"results": OpsTenantSerializer(tenants, many=True).data})


class OpsTenantActionView(APIView):
    permission_classes = [IsAdminUser]
    operation = ""

    def post(self, request: Request, slug: str) -> Response:
        tenant = _tenant(slug)
        reason = str(request.data.get("reason", "") if hasattr(request.data, "get") else "")[:500]
        if self.operation == "suspend":
            tenant = lifecycle.suspend(tenant, reason=reason or "suspended by ops", actor=request.user, request=request)
        elif self.operation == "resume":
            tenant = lifecycle.resume(tenant, reason=reason or "resumed by ops", actor=request.user, request=request)
        else:
            tenant = lifecycle.request_provisioning(
                tenant, actor=request.user, request=request, source="ops", reason=reason or "retried by ops"
            )
        return Response(OpsTenantSerializer(tenant).data, status=status.HTTP_202_ACCEPTED)
