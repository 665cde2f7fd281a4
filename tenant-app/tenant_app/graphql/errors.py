"""GraphQL errors with a machine-readable `extensions.code`; unexpected failures reveal nothing."""

from __future__ import annotations

import traceback
from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from graphql import GraphQLError
from rest_framework import exceptions
from strawberry.extensions import MaskErrors
from strawberry.relay.types import GlobalIDValueError
from strawberry_django.relay import apply_cursor_pagination

# GraphQL codes of the API's exceptions (DRF's, raised by the policy engine and the actions);
# any other API exception keeps its own code, as REST names it (e.g. CONFLICT, THROTTLED).
CODES: list[tuple[type[exceptions.APIException], str]] = [
    (exceptions.NotAuthenticated, "UNAUTHENTICATED"),
    (exceptions.AuthenticationFailed, "UNAUTHENTICATED"),
    (exceptions.PermissionDenied, "FORBIDDEN"),
    (exceptions.NotFound, "NOT_FOUND"),
    (exceptions.ValidationError, "BAD_USER_INPUT"),
]


def _raised_in(error: BaseException, function: Any) -> bool:
    return any(frame.f_code is function.__code__ for frame, _ in traceback.walk_tb(error.__traceback__))


def api_exception(error: Exception | None) -> exceptions.APIException | None:
    """The client's mistake or a refusal as an API exception; None for what nobody anticipated."""
    if isinstance(error, exceptions.APIException):
        return error
    if isinstance(error, GlobalIDValueError):
        return exceptions.ValidationError(str(error), code="invalid_id")
    if isinstance(error, ObjectDoesNotExist):
        return exceptions.NotFound(str(error))
    # strawberry-django refuses a malformed cursor or too large a page with a bare ValueError.
    if isinstance(error, ValueError) and _raised_in(error, apply_cursor_pagination):
        message = f"Invalid page ({error}): pass a cursor from pageInfo, and first or last of at most 100."
        return exceptions.ValidationError(message, code="invalid_page")
    return None


def _extensions(error: exceptions.APIException) -> dict[str, Any]:
    code = next((code for kind, code in CODES if isinstance(error, kind)), str(error.default_code).upper())
    reasons: Any = error.get_codes()
    while isinstance(reasons, list | dict):
        reasons = (list(reasons.values()) if isinstance(reasons, dict) else reasons)[0] if reasons else None
    # `reason` is REST's error.code: the engine's or the action's own (e.g. "forbidden", "last_owner").
    extensions: dict[str, Any] = {"code": code, "reason": str(reasons or error.default_code)}
    if isinstance(error.detail, dict):
        extensions["fields"] = {
            field: [str(message) for message in (messages if isinstance(messages, list) else [messages])]
            for field, messages in error.detail.items()
        }
    return extensions


def _message(error: exceptions.APIException) -> str:
    if isinstance(error.detail, dict):
        return "Some fields are invalid; see extensions.fields."
    return str(error.detail[0] if isinstance(error.detail, list) and error.detail else error.detail)


class ErrorCodes(MaskErrors):
    """Every error leaves with `extensions.code`; messages of unexpected exceptions are masked.

    Runs after the schema logged the unexpected errors with their tracebacks, so masking loses nothing.
    """

    def __init__(self) -> None:
        super().__init__(error_message="Internal server error; it has been logged.")

    def anonymise_error(self, error: GraphQLError) -> GraphQLError:
        if error.original_error is None:
            # GraphQL's own: a syntax error, an unknown field, a limit exceeded.
            message, extensions = error.message, {"code": "GRAPHQL_VALIDATION_FAILED"}
        elif isinstance(error.original_error, GraphQLError):
            # A variable GraphQL could not coerce to its type (its own error, wrapped with the variable's name).
            message, extensions = error.message, {"code": "BAD_USER_INPUT"}
        elif (api_error := api_exception(error.original_error)) is not None:
            message, extensions = _message(api_error), _extensions(api_error)
        else:
            message, extensions = self.error_message, {"code": "INTERNAL_SERVER_ERROR"}
        return GraphQLError(
            message,
            nodes=error.nodes,
            source=error.source,
            positions=error.positions,
            path=error.path,
            extensions=extensions,
        )
