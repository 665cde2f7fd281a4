"""OpenAPI additions: the bearer-token scheme, and problem details (the error body) on every operation."""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import build_bearer_security_scheme_object

from tenantry_kernel.web.errors import PROBLEM_CONTENT_TYPE
from tenantry_kernel.web.problems import all_problems


def problem_schema() -> dict[str, Any]:
    """The `Problem` component: RFC 9457 problem details, with every code this app answers."""
    return {
        "type": "object",
        "description": (
            "Every error, as RFC 9457 problem details (`application/problem+json`). `code` is for programs, "
            "`detail` for people; `type` is the address of the problem type's documentation (GET it: "
            "/api/problems/ lists them all). `errors` comes with code `invalid`: one entry per message, whose "
            "`pointer` is a JSON Pointer into the input (`/address/city`, `/items/2/sku`; `` for the input "
            "as a whole). `request_id` comes with server errors: quote it when reporting one."
        ),
        "properties": {
            "type": {"type": "string", "format": "uri-reference", "example": "/api/problems/invalid"},
            "title": {"type": "string", "example": "Invalid input"},
            "status": {"type": "integer", "minimum": 400, "maximum": 599, "example": 400},
            "detail": {"type": "string", "example": "Some fields are invalid; see errors."},
            "instance": {"type": "string", "format": "uri-reference", "example": "/api/v1/products/"},
            "code": {
                "type": "string",
                "enum": [problem.code for problem in all_problems()],
                "description": "\n".join(
                    f"- `{problem.code}` ({problem.status}, {problem.title}): {problem.description}"
                    for problem in all_problems()
                ),
                "example": "invalid",
            },
            "errors": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "pointer": {"type": "string", "example": "/email"},
                        "detail": {"type": "string", "example": "Enter a valid email address."},
                        "code": {"type": "string", "example": "invalid"},
                    },
                    "required": ["pointer", "detail", "code"],
                    "additionalProperties": False,
                },
            },
            "request_id": {"type": "string"},
        },
        "required": ["type", "title", "status", "detail", "code"],
        "additionalProperties": False,
    }


# Responses every operation may give, by status: (component name, description).
ERROR_RESPONSES = {
    "400": ("Invalid", "Invalid input: bad fields (code `invalid`), a body that does not parse, a bad cursor."),
    "401": ("Unauthenticated", "No access token, or one that is invalid, expired, signed out or for another store."),
    "403": ("Forbidden", "The signed-in user may not do this."),
    "404": ("NotFound", "Nothing is found at this address."),
    "409": ("Conflict", "The request clashes with the current state of the resource."),
    "429": ("Throttled", "A request budget (the user's or the store's) is spent; retry after `Retry-After` seconds."),
}
_METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}


class TenantJWTScheme(OpenApiAuthenticationExtension):  # type: ignore[no-untyped-call]  # untyped registry hook
    target_class = "tenant_app.accounts.authentication.TenantJWTAuthentication"
    name = "bearerAuth"

    def get_security_definition(self, auto_schema: AutoSchema) -> dict[str, str]:
        return {
            **build_bearer_security_scheme_object("HTTP_AUTHORIZATION", "Bearer", bearer_format="JWT"),
            "description": "An access token from POST /api/v1/auth/sign-in/, valid only on the store that issued it.",
        }


def add_error_responses(result: dict[str, Any], generator: Any, **kwargs: Any) -> dict[str, Any]:
    """Postprocessing hook: the `Problem` component, and a response with it for each error status
    that an operation does not describe itself."""
    components = result.setdefault("components", {})
    components.setdefault("schemas", {})["Problem"] = problem_schema()
    error = {PROBLEM_CONTENT_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}}
    shared = components.setdefault("responses", {})
    for name, description in ERROR_RESPONSES.values():
        shared[name] = {"description": description, "content": error}
    shared["Throttled"]["headers"] = {
        "Retry-After": {"description": "Seconds until the spent budget renews.", "schema": {"type": "integer"}}
    }
    for path_item in result.get("paths", {}).values():
        for method, operation in path_item.items():
            if method in _METHODS:
                responses = operation.setdefault("responses", {})
                for status, (name, _) in ERROR_RESPONSES.items():
                    responses.setdefault(status, {"$ref": f"#/components/responses/{name}"})
    return result
