from __future__ import annotations

from typing import Any

import strawberry
import strawberry_django
from django.db.models import QuerySet
from strawberry import Info

from tenant_app.access.graphql.permissions import visible
from tenant_app.access.graphql.types import PolicyType, RoleType
from tenant_app.access.models import Policy, Role


def resolve_roles(info: Info[Any, Any]) -> QuerySet[Role]:
    return visible(info, "roles.view", Role.objects.all())


def resolve_policies(info: Info[Any, Any]) -> QuerySet[Policy]:
    return visible(info, "policies.view", Policy.objects.all())


@strawberry.type
class AccessQuery:
    roles = strawberry_django.field(resolver=resolve_roles, graphql_type=list[RoleType])
    policies = strawberry_django.field(resolver=resolve_policies, graphql_type=list[PolicyType])
