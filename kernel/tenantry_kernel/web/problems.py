"""The registry of problem types: every error `code` an API answers, with its HTTP status, title and meaning.

An error body (tenantry_kernel.web.errors) names its problem type by code. Each app lists the codes it
raises in its own `errors.py` as `PROBLEMS = (Problem(...), ...)`; the generic ones every project answers
are `GENERIC` below. `collect_problems()` reads them at startup (TenantryWebConfig.ready): the kernel's,
then the `errors` module of every installed app, then the modules named by the setting `PROBLEM_MODULES`
(for packages that are not apps, such as the tenant app's GraphQL endpoint). A code listed twice with a
different status, title or description is a configuration error: one code, one meaning.

A problem's `type` is the relative URI reference "/api/problems/<code>", which the kernel's views serve
(tenantry_kernel.web.urls) as the problem's documentation. `all_problems()` is what an API schema
documents, `known_problem()` what a view names in it (tenantry_kernel.web.openapi.problems).
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable
from dataclasses import dataclass
from types import ModuleType

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import module_has_submodule

PROBLEM_PATH = "/api/problems/"


@dataclass(frozen=True)
class Problem:
    code: str  # machine-readable, snake_case; the `code` member of the error body
    status: int  # the HTTP status it answers with
    title: str  # short, the same for every occurrence (RFC 9457 `title`)
    description: str  # one line: when it happens and what the client should do

    @property
    def type(self) -> str:
        return PROBLEM_PATH + self.code

    def as_dict(self) -> dict[str, str | int]:
        return {
            "type": self.type,
            "code": self.code,
            "status": self.status,
            "title": self.title,
            "description": self.description,
        }


GENERIC = (
    Problem("invalid", 400, "Invalid input", "Some of the input is invalid; `errors` says where and why."),
    Problem("parse_error", 400, "Malformed request body", "The body could not be parsed; send valid UTF-8 JSON."),
    Problem(
        "json_too_deep", 400, "JSON nested too deeply", "The JSON body nests more levels than allowed; send flatter data."
    ),
    Problem(
        "number_out_of_range", 400, "Number out of range", "A number in the body is too large to represent; send less."
    ),
    Problem(
        "nul_character", 400, "NUL character", "The address or the body contains U+0000, which no text may hold."
    ),
    Problem("bad_request", 400, "Bad request", "The request is malformed; check its headers and body."),
    Problem(
        "disallowed_host", 400, "Host not served", "The Host header names a host this service does not answer to."
    ),
    Problem(
        "not_authenticated", 401, "Authentication required", "The request carries no credentials; sign in and send them."
    ),
    Problem(
        "authentication_failed", 401, "Authentication failed", "The credentials sent are wrong; sign in again."
    ),
    Problem(
        "token_not_valid", 401, "Token not valid", "The access token is malformed, expired or of the wrong type; refresh it."
    ),
    Problem("permission_denied", 403, "Permission denied", "The signed-in user may not do this."),
    Problem("not_found", 404, "Not found", "Nothing is found at this address, or it is not yours to see."),
    Problem("method_not_allowed", 405, "Method not allowed", "This endpoint does not answer this method; see Allow."),
    Problem(
        "not_acceptable", 406, "Not acceptable", "The endpoint cannot answer in a type the Accept header allows."
    ),
    Problem("conflict", 409, "Conflict", "The request is valid but clashes with the current state of the resource."),
    Problem(
        "stream_conflict",
        409,
        "Concurrent change",
        "Someone else changed the resource since it was read; read it again and retry.",
    ),
    Problem(
        "request_too_large", 413, "Request too large", "The body is larger than this API accepts; send less at a time."
    ),
    Problem(
        "unsupported_media_type", 415, "Unsupported media type", "The body's Content-Type is not one this endpoint reads."
    ),
    Problem("throttled", 429, "Too many requests", "A request budget is spent; retry after Retry-After seconds."),
    Problem(
        "server_error", 500, "Server error", "The server failed; retry later, or report the request id it answered."
    ),
)

_registry: dict[str, Problem] = {}
_sources: dict[str, str] = {}


def register(problems: Iterable[Problem], source: str) -> None:
    """Add `problems` (listed by `source`, a module name); a code already listed with another meaning is an error."""
    for problem in problems:
        known = _registry.get(problem.code)
        if known is not None and known != problem:
            raise ImproperlyConfigured(
                f"Problem code {problem.code!r} of {source} means something else in {_sources[problem.code]}: "
                f"{known} against {problem}. Use one code per meaning."
            )
        _registry[problem.code] = problem
        _sources.setdefault(problem.code, source)


def _problems_of(module: ModuleType) -> Iterable[Problem]:
    listed = getattr(module, "PROBLEMS", ())
    if not all(isinstance(problem, Problem) for problem in listed):
        raise ImproperlyConfigured(f"{module.__name__}.PROBLEMS must hold Problem entries only.")
    return listed


def collect_problems() -> None:
    """(Re)build the registry from the kernel, every installed app's `errors` module and PROBLEM_MODULES."""
    _registry.clear()
    _sources.clear()
    register(GENERIC, __name__)
    modules = [
        f"{app.name}.errors"
        for app in apps.get_app_configs()
        if app.module is not None and module_has_submodule(app.module, "errors")
    ]
    for name in [*modules, *getattr(settings, "PROBLEM_MODULES", [])]:
        module = importlib.import_module(name)
        register(_problems_of(module), name)


def problem(code: str) -> Problem | None:
    """The registered problem type of `code`, or None."""
    return _registry.get(code)


def known_problem(code: str) -> Problem:
    """The registered problem type of `code`, for code that names one (an API schema): unknown is a mistake.

    The registry is built when the apps are ready; a module that asks before then (at import) builds it first.
    """
    if not _registry:
        collect_problems()
    known = _registry.get(code)
    if known is None:
        raise ImproperlyConfigured(f"Problem code {code!r} is not registered: list it in an app's errors.py PROBLEMS.")
    return known


def all_problems() -> list[Problem]:
    """Every registered problem type, by code."""
    return sorted(_registry.values(), key=lambda problem: problem.code)
