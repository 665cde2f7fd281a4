from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import strawberry
import strawberry_django
from django.db.models import Q, QuerySet
from strawberry import Info, auto, relay

from tenant_app.access.graphql.permissions import scoped
from tenant_app.accounts.models import RefreshFamily, User
from tenant_app.accounts.tokens import FAMILY_CLAIM

if TYPE_CHECKING:
    from tenant_app.access.graphql.types import RoleType


@strawberry_django.type(User, name="User")
class UserType(relay.Node):
    email: auto
    full_name: auto
    # Lazy: a role lists its members, so the two types refer to each other.
    role: Annotated[RoleType, strawberry.lazy("tenant_app.access.graphql.types")] | None
    email_verified: bool = strawberry_django.field(only=["email_verified_at"])
    date_joined: auto
    is_active: auto

    @classmethod
    def get_queryset(cls, queryset: QuerySet[User], info: Info[Any, Any], **kwargs: Any) -> QuerySet[User]:
        # Every way to users (the list, a role's members, an event's actor) shows only whom the viewer may see.
        return scoped(info, "users.view", queryset)


@strawberry_django.filter_type(User, name="UserFilter")
class UserFilter:
    is_active: auto

    @strawberry_django.filter_field
    def role(self, value: str, prefix: str) -> Q:
        """Members of the role with this slug."""
        return Q(**{f"{prefix}role__slug": value})

    @strawberry_django.filter_field
    def email_contains(self, value: str, prefix: str) -> Q:
        """Addresses containing this text, case-insensitively."""
        return Q(**{f"{prefix}email__icontains": value})


@strawberry_django.type(RefreshFamily, name="Session")
class SessionType:
    id: strawberry.ID
    method: auto
    user_agent: auto
    ip_address: str | None
    created_at: auto
    last_used_at: auto
    active: bool = strawberry_django.field(only=["revoked_at"])

    @strawberry_django.field
    def current(self, info: Info[Any, Any]) -> bool:
        """Whether this is the session of the token making this request."""
        token = info.context.token
        return token is not None and str(token.get(FAMILY_CLAIM)) == str(self.id)
