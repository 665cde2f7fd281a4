"""GraphQL errors with a machine-readable `extensions.code`; unexpected failures reveal nothing.

An error that REST would answer as problem details (tenantry_kernel.web.errors) carries the same facts
in its extensions: `reason` is REST's `code`, `status` the HTTP status REST would answer, `type` the
problem type's documentation ("/api/problems/<reason>"), and invalid input comes with REST's `errors`
(pointers into the operation's arguments, "/price/amount"). GraphQL's own errors (syntax, unknown
fields, limits) carry `code` only.
"""

from __future__ import annotations

import traceback
from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from graphql import GraphQLError
from rest_framework import exceptions
from strawberry.extensions import MaskErrors
from strawberry.relay.types import GlobalIDValueError
from strawberry_django.relay import apply_cursor_pagination

from tenantry_kernel.web.errors import exception_problem, problem_type
from tenantry_kernel.web.problems import Problem

# Codes only GraphQL answers (registered like every app's, tenantry_kernel.web.problems; setting PROBLEM_MODULES).
PROBLEMS = (
    Problem("invalid_id", 400, "Invalid ID", "A global ID does not decode to a node of the expected type."),
    Problem(
        "invalid_page",
        400,
        "Invalid page",
        "A cursor is not one from pageInfo, or first or last is more than 100; page again from the start.",
    ),
)

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


def _problem_extensions(reason: str, status: int) -> dict[str, Any]:
    """REST's problem type of `reason`: its status, and its documentation's address."""
    type_, _, status = problem_type(reason, status)
    return {"reason": reason, "status": status, "type": type_}


def _extensions(error: exceptions.APIException) -> tuple[str, dict[str, Any]]:
    """The message and the extensions of an API exception."""
    code = next((code for kind, code in CODES if isinstance(error, kind)), str(error.default_code).upper())
    # `reason` is REST's code: the engine's or the action's own (e.g. "forbidden", "last_owner").
    reason, detail, errors = exception_problem(error)
    extensions: dict[str, Any] = {"code": code, **_problem_extensions(reason, error.status_code)}
    if errors:
        extensions["errors"] = errors
        detail = "Some fields are invalid; see extensions.errors."
    return detail, extensions


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
            message, extensions = _extensions(api_error)
        else:
            extensions = {"code": "INTERNAL_SERVER_ERROR", **_problem_extensions("server_error", 500)}
            message = self.error_message
        return GraphQLError(
            message,
            nodes=error.nodes,
            source=error.source,
            positions=error.positions,
            path=error.path,
            extensions=extensions,
        )
