from __future__ import annotations

from typing import Any

import strawberry
from strawberry import Info, relay

from tenant_app.access import actions
from tenant_app.access.graphql.permissions import require_permission
from tenant_app.access.selectors import role_named
from tenant_app.accounts.graphql.types import UserType
from tenant_app.accounts.models import User
from tenant_app.graphql.auth import node_in, signed_in_user


def resolve_assign_role(info: Info[Any, Any], user_id: relay.GlobalID, role: str) -> User:
    actor = signed_in_user(info)
    require_permission(info, "roles.assign")  # refused before anything is looked up
    # Whom the actor may not see is "not found", as everywhere.
    member = node_in(UserType.get_queryset(User.objects.all(), info), user_id, "User")
    actions.assign_role(info.context.request, actor, member, role_named(role))
    member.refresh_from_db()
    return member


@strawberry.type
class AccessMutation:
    assign_role = strawberry.mutation(
        resolver=resolve_assign_role,
        graphql_type=UserType,
        description="Give a member the role with this slug (audited; nobody hands on more than they hold).",
    )
