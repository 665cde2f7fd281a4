from __future__ import annotations

import uuid
from typing import Any, cast

import strawberry
from rest_framework.exceptions import NotFound
from strawberry import Info, relay

from tenant_app.access.graphql.permissions import circumstances, require_permission
from tenant_app.access.policy import require
from tenant_app.access.selectors import role_named
from tenant_app.accounts import actions
from tenant_app.accounts.api.serializers import InviteSerializer, UserUpdateSerializer
from tenant_app.accounts.graphql.types import SessionType, UserType
from tenant_app.accounts.models import RefreshFamily, User
from tenant_app.graphql.auth import node_in, signed_in_user
from tenantry_kernel.identity.accounts import update_profile
from tenantry_kernel.identity.api.serializers import ProfileSerializer


def resolve_update_my_profile(info: Info[Any, Any], full_name: str) -> User:
    form = ProfileSerializer(data={"full_name": full_name})  # the same rules as REST's
    form.is_valid(raise_exception=True)
    return cast(User, update_profile(signed_in_user(info), **form.validated_data))


def resolve_revoke_my_session(info: Info[Any, Any], id: strawberry.ID) -> RefreshFamily:
    user = signed_in_user(info)
    try:
        family = RefreshFamily.objects.get(user=user, id=uuid.UUID(str(id)))
    except (ValueError, RefreshFamily.DoesNotExist):
        raise NotFound(f"You have no session with the id {id}.") from None
    require(user, "sessions.delete", family, circumstances(info))  # one's own: always allowed
    actions.revoke_session(info.context.request, user, family)
    family.refresh_from_db()
    return family


def _member(info: Info[Any, Any], id: relay.GlobalID, action: str) -> User:
    """A member the signed-in user may `action`: refused outright without the permission, else looked up in scope."""
    require_permission(info, action)
    member = node_in(UserType.get_queryset(User.objects.all(), info), id, "User")
    require(signed_in_user(info), action, member, circumstances(info))
    return member


def resolve_invite_user(info: Info[Any, Any], email: str, full_name: str = "", role: str | None = None) -> User:
    require_permission(info, "users.create")
    form = InviteSerializer(data={"email": email, "full_name": full_name, "role": role})  # REST's rules
    form.is_valid(raise_exception=True)
    data = form.validated_data
    new_role = role_named(data["role"]) if data["role"] is not None else None
    return actions.invite_user(
        info.context.request, signed_in_user(info), email=data["email"], full_name=data["full_name"], role=new_role
    )


def resolve_update_user(
    info: Info[Any, Any], id: relay.GlobalID, full_name: str | None = None, is_active: bool | None = None
) -> User:
    member = _member(info, id, "users.update")
    changes = {key: value for key, value in (("full_name", full_name), ("is_active", is_active)) if value is not None}
    form = UserUpdateSerializer(data=changes, partial=True)
    form.is_valid(raise_exception=True)
    return actions.update_user(info.context.request, signed_in_user(info), member, **form.validated_data)


def resolve_deactivate_user(info: Info[Any, Any], id: relay.GlobalID) -> User:
    member = _member(info, id, "users.delete")
    return actions.deactivate_user(info.context.request, signed_in_user(info), member)


@strawberry.type
class AccountsMutation:
    invite_user = strawberry.mutation(
        resolver=resolve_invite_user,
        graphql_type=UserType,
        description="Add a member by email (with a role, if given); they choose a password from the invitation.",
    )
    update_user = strawberry.mutation(resolver=resolve_update_user, graphql_type=UserType)
    deactivate_user = strawberry.mutation(
        resolver=resolve_deactivate_user,
        graphql_type=UserType,
        description="Deactivate a member and sign them out everywhere; their history stays.",
    )
    update_my_profile = strawberry.mutation(resolver=resolve_update_my_profile, graphql_type=UserType)
    revoke_my_session = strawberry.mutation(
        resolver=resolve_revoke_my_session,
        graphql_type=SessionType,
        description="Sign out one of your own sessions (another device); its tokens stop working at once.",
    )
