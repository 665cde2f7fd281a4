"""What every resolver asks first: who is signed in, and which row a global id names.

What the policy engine lets them do and see is the access room's (tenant_app.access.graphql.permissions).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar

from django.contrib.auth import get_user_model
from django.db.models import Model, QuerySet
from rest_framework.exceptions import NotAuthenticated, NotFound
from strawberry import Info, relay

if TYPE_CHECKING:
    # The user model is settings.AUTH_USER_MODEL (accounts.User), named through settings as Django's own apps
    # do, so the frame imports no app; django-stubs' plugin makes this alias that model.
    from django.contrib.auth.models import _User

M = TypeVar("M", bound=Model)


def signed_in_user(info: Info[Any, Any]) -> _User:
    user = info.context.request.user
    if not user.is_authenticated:
        raise NotAuthenticated("Sign in first: send an access token as `Authorization: Bearer <token>`.")
    assert isinstance(user, get_user_model())
    return user


def node_in(queryset: QuerySet[M], id: relay.GlobalID, type_name: str) -> M:
    """The row a global id names, if `queryset` holds it; another type, tenant or scope is "not found" alike."""
    found = None
    if id.type_name == type_name and id.node_id.isdigit():
        found = queryset.filter(pk=int(id.node_id)).first()
    if found is None:
        raise NotFound(f"No {type_name} has the id {id}, or you may not see it.")
    return found
