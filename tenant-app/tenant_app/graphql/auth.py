"""What every resolver asks first: who is signed in, and what the policy engine lets them do and see."""

from __future__ import annotations

from typing import Any, TypeVar

from django.db.models import Model, QuerySet
from rest_framework.exceptions import NotAuthenticated, NotFound
from strawberry import Info, relay

from tenant_app.access.policy import Context, require, scope
from tenant_app.accounts.models import User

M = TypeVar("M", bound=Model)


def signed_in_user(info: Info[Any, Any]) -> User:
    user = info.context.request.user
    if not user.is_authenticated:
        raise NotAuthenticated("Sign in first: send an access token as `Authorization: Bearer <token>`.")
    assert isinstance(user, User)
    return user


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


def node_in(queryset: QuerySet[M], id: relay.GlobalID, type_name: str) -> M:
    """The row a global id names, if `queryset` holds it; another type, tenant or scope is "not found" alike."""
    found = None
    if id.type_name == type_name and id.node_id.isdigit():
        found = queryset.filter(pk=int(id.node_id)).first()
    if found is None:
        raise NotFound(f"No {type_name} has the id {id}, or you may not see it.")
    return found
