"""What the policy engine lets the signed-in user do and see, asked by resolvers (REST's: access.permissions)."""

from __future__ import annotations

from typing import Any, TypeVar

from django.db.models import Model, QuerySet
from strawberry import Info

from tenant_app.access.policy import Context, require, scope
from tenant_app.graphql.auth import signed_in_user

M = TypeVar("M", bound=Model)


def circumstances(info: Info[Any, Any]) -> Context:
    return Context.of(info.context.request)


def require_permission(info: Info[Any, Any], action: str) -> None:
    """Refuse (FORBIDDEN) a user who may not `action` at all."""
    require(signed_in_user(info), action, context=circumstances(info))


def scoped(info: Info[Any, Any], action: str, queryset: QuerySet[M]) -> QuerySet[M]:
    """Only the rows the signed-in user may `action`."""
    return scope(signed_in_user(info), action, queryset, circumstances(info))


def visible(info: Info[Any, Any], action: str, queryset: QuerySet[M]) -> QuerySet[M]:
    require_permission(info, action)
    return scoped(info, action, queryset)
