"""DRF permission backed by the policy engine: views name the action, the engine decides."""

from __future__ import annotations

from typing import Any

from rest_framework.exceptions import MethodNotAllowed, NotAuthenticated
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.views import APIView

from tenant_app.access.policy import Context, Denied, authorize


def _action_of(view: APIView, request: Request) -> str | None:
    required: dict[str, str] = getattr(view, "required_actions", {})
    viewset_action = getattr(view, "action", None)
    if viewset_action is not None and viewset_action in required:
        return required[viewset_action]
    return required.get(request.method or "")


class ActionPermission(BasePermission):
    """DRF permission: the view names the action per HTTP method (APIView) or per viewset action.

        required_actions = {"GET": "users.view", "POST": "users.create", "DELETE": "users.delete"}
        or, for ViewSets: {"list": "users.view", "retrieve": "users.view", "create": "users.create", ...}

    has_permission → authorize(user, action) (unauthenticated → NotAuthenticated 401);
    has_object_permission → authorize(user, action, obj).
    """

    problem_codes = ("forbidden",)  # what it refuses with, in the OpenAPI schema (tenantry_kernel.web.openapi)

    def has_permission(self, request: Request, view: APIView) -> bool:
        if not request.user or not request.user.is_authenticated:
            raise NotAuthenticated()
        return self._check(request, view, None)

    def has_object_permission(self, request: Request, view: APIView, obj: Any) -> bool:
        return self._check(request, view, obj)

    def _check(self, request: Request, view: APIView, obj: Any) -> bool:
        action = _action_of(view, request)
        if action is None:
            if not hasattr(view, (request.method or "").lower()):
                raise MethodNotAllowed(request.method or "")
            # A handler the view did not name an action for is refused, never allowed by omission.
            raise Denied(f"{request.method} is not allowed here.")
        decision = authorize(request.user, action, obj, Context.of(request._request))
        if not decision:
            raise Denied(f"You may not {action} ({decision.reason}).")
        return True
