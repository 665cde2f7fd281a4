from __future__ import annotations

from typing import Any

import strawberry
import strawberry_django
from django.db.models import QuerySet
from strawberry import Info, relay
from strawberry_django.relay import DjangoCursorConnection

from tenant_app.access.graphql.permissions import require_permission, scoped
from tenant_app.accounts.graphql.types import SessionType, UserFilter, UserType
from tenant_app.accounts.models import RefreshFamily, User
from tenant_app.graphql.auth import node_in, signed_in_user


def resolve_me(info: Info[Any, Any]) -> User:
    return signed_in_user(info)


def resolve_users(info: Info[Any, Any]) -> QuerySet[User]:
    require_permission(info, "users.view")
    return User.objects.all()  # only whom the viewer may see: UserType.get_queryset


def resolve_user(info: Info[Any, Any], id: relay.GlobalID) -> User:
    require_permission(info, "users.view")
    return node_in(UserType.get_queryset(User.objects.all(), info), id, "User")


def resolve_my_sessions(info: Info[Any, Any]) -> QuerySet[RefreshFamily]:
    mine = RefreshFamily.objects.filter(user=signed_in_user(info), revoked_at__isnull=True)
    return scoped(info, "sessions.view", mine).order_by("-last_used_at")  # one's own: always allowed


@strawberry.type
class AccountsQuery:
    me = strawberry_django.field(resolver=resolve_me, graphql_type=UserType, description="The signed-in user.")
    users: DjangoCursorConnection[UserType] = strawberry_django.connection(resolver=resolve_users, filters=UserFilter)
    user = strawberry_django.field(resolver=resolve_user, graphql_type=UserType | None)
    my_sessions = strawberry_django.field(
        resolver=resolve_my_sessions,
        graphql_type=list[SessionType],
        description="The signed-in user's active sessions (devices), most recently used first.",
    )
