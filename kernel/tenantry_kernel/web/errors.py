"""One error body everywhere: {"error": {"code", "message", "fields"?}}.

`code` is machine-readable (DRF's error codes, e.g. "invalid", "not_found", "throttled");
`message` is for people. `fields` comes with "invalid" only and maps the path of each bad
input to its messages: nested serializers and dicts join keys with dots, list items use
their index ("address.city", "items.2.sku", "tags.0"), and errors about the input as a
whole sit under "non_field_errors" (nested ones under "<path>.non_field_errors").

`api_exception_handler` is DRF's EXCEPTION_HANDLER; the `bad_request`, `permission_denied`,
`not_found` and `server_error` views are Django's handler400/403/404/500, answering in this
shape under the API prefixes (setting `API_PATH_PREFIXES`: /api/, and /graphql/ in the tenant
app) and with Django's own pages elsewhere (the admin). Under DEBUG Django answers with its
technical pages instead of the handlers; `middleware.ApiErrorBodyMiddleware` puts this shape
back under the API prefixes (`error_response`).
"""

from __future__ import annotations

from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

from django.conf import settings
from django.core.exceptions import DisallowedHost, PermissionDenied, RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.views import defaults
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.views import exception_handler

from tenantry_kernel.context import current_request_id
from tenantry_kernel.web.exceptions import RequestTooLarge

INVALID_MESSAGE = "Some fields are invalid; see fields."


def error_body(code: str, message: str, fields: Mapping[str, list[str]] | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"code": code, "message": message}
    if fields:
        body["fields"] = dict(fields)
    return {"error": body}


def field_errors(detail: Any, path: str = "") -> dict[str, list[str]]:
    """DRF's nested validation detail as {dotted path: [messages]}."""
    if isinstance(detail, Mapping):
        items: Any = detail.items()
    elif isinstance(detail, list) and any(isinstance(item, list | Mapping) for item in detail):
        items = enumerate(detail)  # a list of nested errors ({} for the items that were fine)
    else:
        messages = detail if isinstance(detail, list) else [detail]
        return {path or "non_field_errors": [str(message) for message in messages]}
    flat: dict[str, list[str]] = {}
    for key, value in items:
        if value:
            flat.update(field_errors(value, f"{path}.{key}" if path else str(key)))
    return flat


def _first(detail: Any) -> Any:
    """The first leaf (an ErrorDetail, which carries its code) of a nested detail."""
    while isinstance(detail, list | Mapping) and detail:
        detail = next(iter(detail.values())) if isinstance(detail, Mapping) else detail[0]
    return detail


def _body_of(exc: exceptions.APIException) -> dict[str, Any]:
    detail = exc.detail
    if isinstance(exc, exceptions.ValidationError):
        if isinstance(detail, Mapping) or any(isinstance(item, list | Mapping) for item in detail):
            return error_body("invalid", INVALID_MESSAGE, field_errors(detail))
    elif isinstance(detail, Mapping) and "detail" in detail:
        # Errors that carry extra keys (simplejwt's InvalidToken: messages) keep just the essentials.
        detail = detail["detail"]
    first = _first(detail)
    return error_body(str(getattr(first, "code", None) or exc.default_code), str(first or exc.default_detail))


def _as_api_exception(exc: Exception) -> exceptions.APIException | None:
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
    """DRF's handler, with every error rewritten into the one shape clients parse."""
    api_exception = _as_api_exception(exc)
    if api_exception is None:
        return None  # not an API error: Django answers 500 (server_error below) and logs it
    # DRF's handler adds WWW-Authenticate and Retry-After, and rolls back an ATOMIC_REQUESTS transaction.
    response = exception_handler(api_exception, context)
    if response is not None:
        response.data = _body_of(api_exception)
    return response


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


def _bad_request_body(request: HttpRequest, exception: Exception | None) -> dict[str, Any]:
    if not isinstance(exception, DisallowedHost):
        try:
            request.get_host()
        except DisallowedHost as exc:
            exception = exc
    if isinstance(exception, DisallowedHost):
        message = "This service does not answer the host named in the Host header; use one of its own addresses."
        return error_body("disallowed_host", message)
    return error_body("bad_request", "The request is malformed; check its headers and body.")


def error_response(
    request: HttpRequest, status: int, exception: Exception | None = None, request_id: str | None = None
) -> JsonResponse:
    """The error body for an API request that failed outside DRF, by HTTP status (and exception, if known)."""
    if isinstance(exception, RequestDataTooBig):
        status = 413
    if status == 400:
        body = _bad_request_body(request, exception)
    elif status == 403:
        body = error_body("permission_denied", "You do not have permission to perform this action.")
    elif status == 404:
        body = error_body(
            "not_found", "There is no API endpoint at this address; check the path and its trailing slash."
        )
    elif status == 405:
        body = error_body("method_not_allowed", f"This endpoint does not answer {request.method}; see Allow.")
    elif status == 413:
        body = error_body("request_too_large", too_large_message())
    elif status >= 500:
        body = error_body("server_error", _server_error_message(request_id or current_request_id()))
    else:
        try:
            phrase = HTTPStatus(status).phrase
        except ValueError:  # a status outside the standard's list
            phrase = "Error"
        body = error_body(phrase.lower().replace(" ", "_").replace("-", "_"), f"{phrase}.")
    return JsonResponse(body, status=status)


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
