"""The REST API's frame: filtering and request budgets (the OpenAPI schema and cursor pages are the kernel's).

Each app keeps its own endpoints in its `api/` package; settings make these the defaults.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rest_framework.exceptions import NotAuthenticated

if TYPE_CHECKING:
    from rest_framework.request import Request

    from tenant_app.accounts.models import User


def signed_in_user(request: Request) -> User:
    """The user of a request to a view whose permissions require one (401 should they not have)."""
    from tenant_app.accounts.models import User

    user = request.user
    if not isinstance(user, User):
        raise NotAuthenticated()
    return user
