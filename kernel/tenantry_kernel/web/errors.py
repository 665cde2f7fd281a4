"""One error body everywhere: RFC 9457 problem details, `Content-Type: application/problem+json`.

    {"type": "/api/problems/invalid", "title": "Invalid input", "status": 400,
     "detail": "Some fields are invalid; see errors.", "instance": "/api/v1/orders/",
     "code": "invalid",
     "errors": [{"pointer": "/address/city", "detail": "This field is required.", "code": "required"}]}

`type`, `title` and `status` come from the problem registry (tenantry_kernel.web.problems) by `code`, the
machine-readable extension member (DRF's codes such as "invalid", "not_found", "throttled", and each app's
own). `type` is a relative URI reference, which RFC 9457 §3.1.1 allows: resolved against the request's
address it names the problem's documentation, served by the kernel's views at /api/problems/<code>. A code
missing from the registry is logged as a mistake (tests fail on it: tenantry_kernel.testing.problems) and
answered with "about:blank", whose title is the HTTP status phrase (RFC 9457 §4.2.1). `detail` is for
people and says what was wrong with this request; `instance` is the request's path.

`errors` comes with "invalid" only, one entry per message, as RFC 9457 §3 suggests: `pointer` is a JSON
Pointer (RFC 6901) into the request's input, the body or, for a request without one, its query
parameters ("/address/city", "/items/2/sku", "/q"); errors about the input as a whole point at "" (or at
the object they concern when nested, "/address"). `code` is the field error's own ("required", "blank",
"max_length", …). A 5xx also carries `request_id`, the id to quote when reporting it.

`api_exception_handler` is DRF's EXCEPTION_HANDLER; the `bad_request`, `permission_denied`, `not_found` and
`server_error` views are Django's handler400/403/404/500, answering in this shape under the API prefixes
(setting `API_PATH_PREFIXES`: /api/, and /graphql/ in the tenant app) and with Django's own pages elsewhere
(the admin). Under DEBUG Django answers with its technical pages instead of the handlers;
`middleware.ApiErrorBodyMiddleware` puts this shape back under the API prefixes (`error_response`).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

from django.conf import settings
from django.core.exceptions import DisallowedHost, PermissionDenied, RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils.encoding import escape_uri_path
from django.utils.translation import gettext
from django.views import defaults
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler

from tenantry_kernel.context import current_request_id
from tenantry_kernel.i18n import gettext_noop
from tenantry_kernel.web.exceptions import RequestTooLarge
from tenantry_kernel.web.problems import problem

log = logging.getLogger("tenantry.problems")

PROBLEM_CONTENT_TYPE = "application/problem+json"
INVALID_DETAIL = gettext_noop("Some fields are invalid; see errors.")


def _pointer_token(key: Any) -> str:
    return str(key).replace("~", "~0").replace("/", "~1")  # RFC 6901 §3


def problem_errors(detail: Any, pointer: str = "") -> list[dict[str, str]]:
    """DRF's nested validation detail as RFC 9457 `errors`: one {"pointer", "detail", "code"} per message."""
    if isinstance(detail, Mapping):
        items: Any = (
            (pointer if key == api_settings.NON_FIELD_ERRORS_KEY else f"{pointer}/{_pointer_token(key)}", value)
            for key, value in detail.items()
        )
    elif isinstance(detail, list) and any(isinstance(item, list | Mapping) for item in detail):
        # A list of nested errors ({} for the items that were fine).
        items = ((f"{pointer}/{index}", value) for index, value in enumerate(detail))
    else:
        messages = detail if isinstance(detail, list) else [detail]
        return [
            {"pointer": pointer, "detail": str(message), "code": str(getattr(message, "code", None) or "invalid")}
            for message in messages
        ]
    errors: list[dict[str, str]] = []
    for child, value in items:
        if value:
            errors.extend(problem_errors(value, child))
    return errors


def problem_type(code: str, status: int | None = None) -> tuple[str, str, int]:
    """The `type`, `title` and `status` of `code` answered with `status` (by default its registered one).

    The registered status is the usual one: a few codes answer others too (DRF's not_authenticated is a
    403 where the view has no WWW-Authenticate to offer). A code missing from the registry is a mistake
    in the code: logged, and answered with "about:blank" and the status's phrase (RFC 9457 §4.2.1).
    """
    known = problem(code)
    if known is None:
        if status is None:
            raise ValueError(f"Problem code {code!r} is not registered: give its status.")
        log.error("unregistered problem code %r answered with status %s; list it in an app's errors.py", code, status)
        return "about:blank", _phrase(status), status
    return known.type, known.title, status or known.status


def problem_body(
    code: str,
    detail: str,
    *,
    status: int | None = None,
    instance: str | None = None,
    errors: list[dict[str, str]] | None = None,
    request_id: str | None = None,
) -> dict[str, Any]:
    """The problem details of `code` with this `detail`; `status` defaults to the registered one."""
    type_, title, status = problem_type(code, status)
    body: dict[str, Any] = {"type": type_, "title": title, "status": status, "detail": detail}
    if instance is not None:
        body["instance"] = instance
    body["code"] = code
    if errors:
        body["errors"] = errors
    if request_id and body["status"] >= 500:
        body["request_id"] = request_id
    return body


def problem_response(
    request: HttpRequest | None,
    code: str,
    detail: str,
    *,
    status: int | None = None,
    errors: list[dict[str, str]] | None = None,
    request_id: str | None = None,
) -> JsonResponse:
    """A problem+json response for `request` (its path is the `instance`)."""
    body = problem_body(
        code,
        detail,
        status=status,
        instance=instance_of(request),
        errors=errors,
        request_id=request_id or current_request_id(),
    )
    return JsonResponse(body, status=body["status"], content_type=PROBLEM_CONTENT_TYPE)


def instance_of(request: HttpRequest | None) -> str | None:
    """The request's path as a URI reference (percent-encoded), the problem's `instance`."""
    return escape_uri_path(request.path) if request is not None else None


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:  # a status outside the standard's list
        return "Error"


def _first(detail: Any) -> Any:
    """The first leaf (an ErrorDetail, which carries its code) of a nested detail."""
    while isinstance(detail, list | Mapping) and detail:
        detail = next(iter(detail.values())) if isinstance(detail, Mapping) else detail[0]
    return detail


def exception_problem(exc: exceptions.APIException) -> tuple[str, str, list[dict[str, str]] | None]:
    """The code, detail and (for invalid input) errors of an API exception."""
    detail = exc.detail
    if isinstance(exc, exceptions.ValidationError):
        if isinstance(detail, Mapping) or any(isinstance(item, list | Mapping) for item in detail):
            # In the request's language where the project has a translation (the tenant app's locale/).
            return "invalid", gettext(INVALID_DETAIL), problem_errors(detail)
    elif isinstance(detail, Mapping) and "detail" in detail:
        # Errors that carry extra keys (simplejwt's InvalidToken: messages) keep just the essentials.
        detail = detail["detail"]
    first = _first(detail)
    return str(getattr(first, "code", None) or exc.default_code), str(first or exc.default_detail), None


def as_api_exception(exc: Exception) -> exceptions.APIException | None:
    """`exc` as the API exception it stands for, or None when it is not a client's mistake or a refusal."""
    if isinstance(exc, exceptions.APIException):
        return exc
    if isinstance(exc, Http404):  # get_object_or_404 and friends
        return exceptions.NotFound(*exc.args)
    if isinstance(exc, PermissionDenied):
        return exceptions.PermissionDenied(*exc.args)
    if isinstance(exc, RequestDataTooBig):  # a view read `request.body` past DATA_UPLOAD_MAX_MEMORY_SIZE
        return RequestTooLarge(too_large_message())
    if isinstance(exc, DjangoValidationError):
        # A model's or an action's own validation is bad input too, not a server error.
        return exceptions.ValidationError(as_serializer_error(exc))
    return None


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's handler, with every error rewritten into problem details."""
    api_exception = as_api_exception(exc)
    if api_exception is None:
        return None  # not an API error: Django answers 500 (server_error below) and logs it
    # DRF's handler adds WWW-Authenticate and Retry-After, and rolls back an ATOMIC_REQUESTS transaction.
    response = exception_handler(api_exception, context)
    if response is not None:
        code, detail, errors = exception_problem(api_exception)
        request = context.get("request")
        response.data = problem_body(
            code,
            detail,
            status=response.status_code,
            instance=instance_of(getattr(request, "_request", request)),
            errors=errors,
            request_id=current_request_id(),
        )
        response.content_type = PROBLEM_CONTENT_TYPE
    return response


def exception_response(request: HttpRequest, exc: Exception) -> JsonResponse | None:
    """The problem+json response for an API exception raised outside DRF's views (None if it is not one)."""
    response = api_exception_handler(exc, {"request": request})
    if response is None:
        return None
    refused = JsonResponse(response.data, status=response.status_code, content_type=PROBLEM_CONTENT_TYPE)
    for header, value in response.headers.items():
        if header.lower() in ("www-authenticate", "retry-after"):
            refused[header] = value
    return refused


def is_api(request: HttpRequest) -> bool:
    """Whether the request is for an API (its errors answer in this module's shape)."""
    path = request.path
    return any(path.startswith(prefix) or path == prefix.rstrip("/") for prefix in settings.API_PATH_PREFIXES)


def too_large_message() -> str:
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    return f"The request body is larger than {limit} bytes, the most this API accepts; send less at a time."


def _server_error_message(request_id: str | None) -> str:
    message = "The server failed to answer this request; try again later"
    return message + (f", or report request id {request_id}." if request_id else ".")


def _bad_request(request: HttpRequest, exception: Exception | None) -> tuple[str, str]:
    if not isinstance(exception, DisallowedHost):
        try:
            request.get_host()
        except DisallowedHost as exc:
            exception = exc
    if isinstance(exception, DisallowedHost):
        message = "This service does not answer the host named in the Host header; use one of its own addresses."
        return "disallowed_host", message
    return "bad_request", "The request is malformed; check its headers and body."


# Codes of the statuses Django or a view answered outside DRF with no body of ours, besides those below.
_STATUS_CODES = {
    401: "not_authenticated",
    406: "not_acceptable",
    409: "conflict",
    415: "unsupported_media_type",
    429: "throttled",
}


def error_response(
    request: HttpRequest, status: int, exception: Exception | None = None, request_id: str | None = None
) -> JsonResponse:
    """The problem for an API request that failed outside DRF, by HTTP status (and exception, if known)."""
    if isinstance(exception, RequestDataTooBig):
        status = 413
    request_id = request_id or current_request_id()
    if status == 400:
        code, detail = _bad_request(request, exception)
    elif status == 403:
        code, detail = "permission_denied", "You do not have permission to perform this action."
    elif status == 404:
        code, detail = "not_found", "There is no API endpoint at this address; check the path and its trailing slash."
    elif status == 405:
        code, detail = "method_not_allowed", f"This endpoint does not answer {request.method}; see Allow."
    elif status == 413:
        code, detail = "request_too_large", too_large_message()
    elif status == 500:
        code, detail = "server_error", _server_error_message(request_id)
    else:
        phrase = _phrase(status)
        code = _STATUS_CODES.get(status) or phrase.lower().replace(" ", "_").replace("-", "_")
        detail = f"{phrase}."
    return problem_response(request, code, detail, status=status, request_id=request_id)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    if not is_api(request):
        return defaults.bad_request(request, exception)
    return error_response(request, 400, exception)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    if not is_api(request):
        return defaults.permission_denied(request, exception)
    return error_response(request, 403, exception)


def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    if not is_api(request):
        return defaults.page_not_found(request, exception)
    return error_response(request, 404, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    if not is_api(request):
        return defaults.server_error(request)
    return error_response(request, 500)
