"""What both projects' OpenAPI schemas share (drf-spectacular): the `Problem` error body, error responses built
from problem codes, the frame's own errors, `Location` on 201 and 202, and the bearer-token scheme.

A view lists the problem codes it answers in one line, beside its success response:

    @extend_schema(summary=..., responses={201: ProductSerializer, **problems("invalid", "forbidden")}, ...)

`problems()` makes one response per status (`application/problem+json`, the `Problem` component), whose
description names each code and whose examples are each code's body. The schema class (`AutoSchema`) adds what
the frame answers whatever the view:
- 401 where a token is read, 429 where a budget applies;
- the body's own 400 (`invalid` too), 413 and 415 where a body is read;
- 400 `invalid` where a list pages (a bad cursor or page size);
- 404 `not_found` where the path names an object;
- the `problem_codes` of the view's permission classes, what the view's `configured_problems()` names (codes that
  depend on how it is set up, as the identity API's on its project), and the project's
  `API_EVERY_OPERATION_PROBLEMS` (the tenant app's store-host errors).
It documents `Location` on every 201 and 202 (tenantry_kernel.web.middleware logs an answer without one), and
`Retry-After` on a 429. `add_problem_component` (a postprocessing hook) puts the `Problem` component in.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace
from typing import Any

from django.conf import settings
from drf_spectacular import openapi
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.plumbing import build_bearer_security_scheme_object
from drf_spectacular.utils import Direction, OpenApiExample, OpenApiResponse
from rest_framework.permissions import AllowAny

from tenantry_kernel.identity.authentication import BoundJWTAuthentication
from tenantry_kernel.web.errors import INVALID_DETAIL, PROBLEM_CONTENT_TYPE
from tenantry_kernel.web.problems import PROBLEM_PATH, Problem, all_problems, known_problem

PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}
# What the frame answers, by what an operation does (AutoSchema.frame_problems).
AUTHENTICATED = ("not_authenticated", "authentication_failed", "token_not_valid")
TOKEN_READ = ("authentication_failed", "token_not_valid")  # a public endpoint refuses a bad token all the same
THROTTLED = ("throttled",)
ADDRESSED = ("not_found",)
PAGED = ("invalid",)
BODY_READ = (
    "invalid",
    "parse_error",
    "json_too_deep",
    "number_out_of_range",
    "request_too_large",
    "unsupported_media_type",
)
_SUCCESS_WITH_LOCATION = ("201", "202")


def problem_schema() -> dict[str, Any]:
    """The `Problem` component: RFC 9457 problem details, with every code this project answers."""
    return {
        "type": "object",
        "description": (
            "Every error, as RFC 9457 problem details (`application/problem+json`). `code` is for programs, "
            f"`detail` for people; `type` is the address of the problem type's documentation (GET it: "
            f"{PROBLEM_PATH} lists them all). `errors` comes with code `invalid`: one entry per message, whose "
            "`pointer` is a JSON Pointer into the input (`/address/city`, `/items/2/sku`; `` for the input "
            "as a whole). `request_id` comes with server errors: quote it when reporting one."
        ),
        "properties": {
            "type": {"type": "string", "format": "uri-reference", "example": f"{PROBLEM_PATH}invalid"},
            "title": {"type": "string", "example": "Invalid input"},
            "status": {"type": "integer", "minimum": 400, "maximum": 599, "example": 400},
            "detail": {"type": "string", "example": INVALID_DETAIL},
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


def example_body(problem: Problem) -> dict[str, Any]:
    """A body of `problem` as the API answers it (its documented meaning stands in for a request's `detail`)."""
    body: dict[str, Any] = {
        "type": problem.type,
        "title": problem.title,
        "status": problem.status,
        "detail": INVALID_DETAIL if problem.code == "invalid" else problem.description,
        "code": problem.code,
    }
    if problem.code == "invalid":
        body["errors"] = [{"pointer": "/email", "detail": "Enter a valid email address.", "code": "invalid"}]
    if problem.status >= 500:
        body["request_id"] = "4bf92f3577b34da6a3ce929d0e0e4736"
    return body


def _describe(problem: Problem) -> str:
    return f"- `{problem.code}` ({problem.title}): {problem.description}"


def problem_examples(problems: list[Problem]) -> list[OpenApiExample]:
    return [
        OpenApiExample(
            problem.code,
            value=example_body(problem),
            summary=problem.title,
            response_only=True,
            media_type=PROBLEM_CONTENT_TYPE,
            status_codes=[str(problem.status)],
        )
        for problem in problems
    ]


def problems(*codes: str | tuple[str, int]) -> dict[tuple[int, str], OpenApiResponse]:
    """The error responses of an operation that answers these problem codes, for extend_schema's `responses`.

    One response per status, with the `Problem` body: its description lists the codes, an example shows each.
    A code answered with another status than its registered one is given as `(code, status)`. A code that no
    app registers is a mistake, refused here.
    """
    by_status: dict[int, list[Problem]] = defaultdict(list)
    for code in dict.fromkeys(codes):
        name, status = code if isinstance(code, tuple) else (code, None)
        problem = known_problem(name)
        if status is not None:
            problem = replace(problem, status=status)
        by_status[problem.status].append(problem)
    return {
        (status, PROBLEM_CONTENT_TYPE): OpenApiResponse(
            PROBLEM_REF,
            description="\n".join(_describe(problem) for problem in listed),
            examples=problem_examples(listed),
        )
        for status, listed in sorted(by_status.items())
    }


def request_example(name: str, value: Any) -> OpenApiExample:
    """An example of a request body (for `@extend_schema_serializer(examples=...)` on a request serializer)."""
    return OpenApiExample(name, value=value, request_only=True)


def response_example(name: str, value: Any, statuses: tuple[str, ...] = ("200", "201", "202")) -> OpenApiExample:
    """An example of a success body; on a response serializer it shows wherever that serializer answers
    (in a page's `results` for a list)."""
    return OpenApiExample(name, value=value, response_only=True, status_codes=list(statuses))


class AutoSchema(openapi.AutoSchema):
    """drf-spectacular's schema, plus the frame's errors and `Location` on 201 and 202 (see the module)."""

    def frame_problems(self) -> list[str | tuple[str, int]]:
        """The codes this operation answers because of what it does, whatever its view says."""
        codes: list[str | tuple[str, int]] = list(getattr(settings, "API_EVERY_OPERATION_PROBLEMS", []))
        # Codes that depend on the view's configuration (the identity API's: its project's rules).
        codes += getattr(self.view, "configured_problems", tuple)()
        authenticators = self.view.get_authenticators()
        if authenticators:
            public = all(isinstance(permission, AllowAny) for permission in self.view.get_permissions())
            codes += TOKEN_READ if public else AUTHENTICATED
        for authenticator in authenticators:
            if isinstance(authenticator, BoundJWTAuthentication):
                # A token of a signed-out session, or one issued elsewhere (another store, a store at the portal).
                codes += ("token_revoked", authenticator.get_identity().binding.code)
        for permission in self.view.get_permissions():
            # A permission class says what it refuses with (the tenant app's policy engine: forbidden).
            codes += getattr(permission, "problem_codes", ())
        if "{" in self.path:
            codes += ADDRESSED  # an object named in the path: not found, or not yours to see
        if self.view.get_throttles():
            codes += THROTTLED
        if self.method in ("POST", "PUT", "PATCH") and self.get_request_serializer() is not None:
            codes += BODY_READ
        paged = self._get_paginator() is not None  # type: ignore[no-untyped-call]  # untyped in drf-spectacular
        if self.method == "GET" and self._is_list_view() and paged:
            codes += PAGED
        return codes

    def _get_response_bodies(self, direction: Direction = "response") -> dict[str, Any]:
        responses: dict[str, Any] = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        for (status, media_type), response in problems(*self.frame_problems()).items():
            built = self._get_response_for_code(  # type: ignore[no-untyped-call]  # untyped in drf-spectacular
                response, str(status), [media_type], direction
            )
            known = responses.get(str(status))
            if known is None:
                responses[str(status)] = built
                continue
            # The view lists codes of this status itself: the frame's join them, each once.
            listed = known.setdefault("content", {}).setdefault(media_type, {"schema": PROBLEM_REF})
            examples = listed.setdefault("examples", {})
            for name, example in built["content"][media_type].get("examples", {}).items():
                if name not in examples:
                    examples[name] = example
                    known["description"] = "\n".join(
                        filter(None, [known.get("description"), _describe(known_problem(example["value"]["code"]))])
                    )
        return responses

    def _get_response_headers_for_code(self, status_code: str, direction: Direction = "response") -> Any:
        headers = super()._get_response_headers_for_code(status_code, direction)
        if status_code in _SUCCESS_WITH_LOCATION:
            headers.setdefault(
                "Location",
                {
                    "description": "The address of the resource created (201), or where to follow the work (202).",
                    "schema": {"type": "string", "format": "uri-reference"},
                },
            )
        if status_code == "429":
            headers.setdefault(
                "Retry-After",
                {"description": "Seconds to wait before trying again.", "schema": {"type": "integer"}},
            )
        return headers


def add_problem_component(result: dict[str, Any], generator: Any, **kwargs: Any) -> dict[str, Any]:
    """Postprocessing hook: the `Problem` component that every error response refers to."""
    result.setdefault("components", {}).setdefault("schemas", {})["Problem"] = problem_schema()
    return result


class BoundJWTScheme(OpenApiAuthenticationExtension):  # type: ignore[no-untyped-call]  # untyped registry hook
    """Both projects' access tokens (tenantry_kernel.identity.authentication), as `bearerAuth`."""

    target_class = "tenantry_kernel.identity.authentication.BoundJWTAuthentication"
    match_subclasses = True
    priority = 1  # before drf-spectacular's own scheme for simplejwt, which it subclasses
    name = "bearerAuth"

    def get_security_definition(self, auto_schema: openapi.AutoSchema) -> dict[str, str]:
        return {
            **build_bearer_security_scheme_object("HTTP_AUTHORIZATION", "Bearer", bearer_format="JWT"),
            "description": (
                "An access token from signing in (under /api/v1/auth/), valid only where it was issued: "
                "a store's on that store, the portal's on the portal. Refresh it before it expires."
            ),
        }
