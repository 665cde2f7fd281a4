from __future__ import annotations

import uuid
from typing import Any

import strawberry
from rest_framework.exceptions import NotFound
from strawberry import Info

from tenant_app.access.policy import require
from tenant_app.accounts import actions
from tenant_app.accounts.api.serializers import ProfileSerializer
from tenant_app.accounts.graphql.types import SessionType, UserType
from tenant_app.accounts.models import RefreshFamily, User
from tenant_app.graphql.auth import circumstances, signed_in_user


def resolve_update_my_profile(info: Info[Any, Any], full_name: str) -> User:
    form = ProfileSerializer(data={"full_name": full_name})  # the same rules as REST's
    form.is_valid(raise_exception=True)
    return actions.update_profile(info.context.request, signed_in_user(info), **form.validated_data)


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


@strawberry.type
class AccountsMutation:
    update_my_profile = strawberry.mutation(resolver=resolve_update_my_profile, graphql_type=UserType)
    revoke_my_session = strawberry.mutation(
        resolver=resolve_revoke_my_session,
        graphql_type=SessionType,
        description="Sign out one of your own sessions (another device); its tokens stop working at once.",
    )
