"""The REST API's frame: filtering and request budgets (the OpenAPI schema and cursor pages are the kernel's).

Each app keeps its own endpoints in its `api/` package; settings make these the defaults.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from rest_framework.exceptions import NotAuthenticated

if TYPE_CHECKING:
    # The user model is settings.AUTH_USER_MODEL (accounts.User), named through settings as Django's own apps
    # do, so the frame imports no app; django-stubs' plugin makes this alias that model.
    from django.contrib.auth.models import _User
    from rest_framework.request import Request


def signed_in_user(request: Request) -> _User:
    """The user of a request to a view whose permissions require one (401 should they not have)."""
    user = request.user
    if not isinstance(user, get_user_model()):
        raise NotAuthenticated()
    return user
