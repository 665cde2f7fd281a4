from __future__ import annotations

import strawberry_django
from strawberry import auto
from strawberry_django.relay import DjangoCursorConnection

from tenant_app.access.models import Policy, Role
from tenant_app.accounts.graphql.types import UserType


@strawberry_django.type(Role, name="Role")
class RoleType:
    slug: auto
    name: auto
    description: auto
    permissions: list[str]
    builtin: auto
    requires_two_factor: auto
    # Members the viewer may see (UserType.get_queryset), prefetched for all roles at once.
    users: DjangoCursorConnection[UserType] = strawberry_django.connection()


@strawberry_django.type(Policy, name="Policy")
class PolicyType:
    name: auto
    description: auto
    effect: auto
    actions: list[str]
    roles: list[RoleType]
    condition: auto
    enabled: auto
    created_at: auto
    updated_at: auto
