"""OpenAPI additions: the bearer-token scheme, and the one error body on every operation."""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import build_bearer_security_scheme_object

ERROR_SCHEMA = {
    "type": "object",
    "description": (
        "Every error. `code` is for programs, `message` for people. `fields` comes with code `invalid`: "
        "the path of each bad input maps to its messages; nested objects join keys with dots and list "
        "items use their index (`address.city`, `items.2.sku`), and errors about the input as a whole "
        "are under `non_field_errors`."
    ),
    "properties": {
        "error": {
            "type": "object",
            "properties": {
                "code": {"type": "string", "example": "invalid"},
                "message": {"type": "string", "example": "Some fields are invalid; see fields."},
                "fields": {
                    "type": "object",
                    "additionalProperties": {"type": "array", "items": {"type": "string"}},
                    "example": {"email": ["Enter a valid email address."]},
                },
            },
            "required": ["code", "message"],
            "additionalProperties": False,
        }
    },
    "required": ["error"],
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
    """Postprocessing hook: the `Error` component, and a response with it for each error status
    that an operation does not describe itself."""
    components = result.setdefault("components", {})
    components.setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    error = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
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
