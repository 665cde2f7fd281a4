"""One error body everywhere: {"error": {"code", "message", "fields"?}}."""

from __future__ import annotations

from typing import Any

from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler


def _first_code(detail: Any) -> str:
    codes = detail.get_codes() if hasattr(detail, "get_codes") else None
    while isinstance(codes, list | dict):
        codes = (list(codes.values()) if isinstance(codes, dict) else codes)[0] if codes else None
    return str(codes or "error")


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's handler, with every error rewritten into the one shape clients parse."""
    response = exception_handler(exc, context)
    if response is None:
        return None  # not an API error: Django answers 500 and logs it
    body: dict[str, Any] = {"code": "error", "message": ""}
    if isinstance(exc, exceptions.ValidationError) and isinstance(exc.detail, dict):
        body["code"] = "invalid"
        body["message"] = "Some fields are invalid; see fields."
        body["fields"] = {
            field: [str(message) for message in (messages if isinstance(messages, list) else [messages])]
            for field, messages in exc.detail.items()
        }
    elif isinstance(exc, exceptions.APIException):
        detail = exc.detail
        body["code"] = _first_code(exc)
        body["message"] = str(detail.get("detail", detail) if isinstance(detail, dict) else detail)
    response.data = {"error": body}
    return response
