"""Request bodies the server can afford and PostgreSQL can store: bounded JSON, finite numbers, no NUL.

Limits (settings, documented in docs/configuration.md): a body of more than `DATA_UPLOAD_MAX_MEMORY_SIZE`
bytes is refused with 413; JSON nested deeper than `REQUEST_JSON_MAX_DEPTH` levels is refused with 400
before it is parsed, because Python's json, DRF's serializers and Django's debug pages all recurse once per
level: a 2 KB body of a thousand brackets raised RecursionError (a 500) and, under DEBUG, kept a thread busy
rendering the traceback. The depth is counted by one regular-expression pass over the bytes, which skips
string literals whole (escapes included), so it never recurses itself. No JSON library we could use does
this: orjson's fixed limit is 1024 levels, the standard library and simplejson have none of their own, and
a streaming parser (ijson) would be a dependency for what one expression does.

PostgreSQL text cannot hold U+0000 and jsonb no infinity: a NUL or a number such as 1e400 reaching a query
fails deep in the driver as a 500, so both are refused at the door with the usual 400 body.
"""

from __future__ import annotations

import json
import math
from typing import IO, Any

from django.conf import settings
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

from tenantry_kernel.json_depth import nesting_exceeds
from tenantry_kernel.web.exceptions import RequestTooLarge


def _finite(text: str) -> float:
    number = float(text)
    if math.isinf(number):
        raise ParseError(
            f"The number {text[:40]} in the request body is too large to represent; send a smaller one.",
            code="number_out_of_range",
        )
    return number


def _no_constant(name: str) -> Any:
    raise ParseError(f"{name} is not a JSON value; send a number or null.", code="parse_error")


def contains_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(contains_nul(key) or contains_nul(item) for key, item in value.items())
    if isinstance(value, list):
        return any(contains_nul(item) for item in value)
    return False


def max_body_bytes() -> int:
    return int(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)


def max_json_depth() -> int:
    return int(settings.REQUEST_JSON_MAX_DEPTH)


def read_body(stream: IO[bytes]) -> bytes:
    """The whole body of a request, or RequestTooLarge (413) once it passes the size limit.

    DRF reads the request as a stream, which Django's own size check (on `request.body`) never sees.
    """
    limit = max_body_bytes()
    body = stream.read(limit + 1)
    if len(body) > limit:
        raise RequestTooLarge(
            f"The request body is larger than {limit} bytes, the most this API accepts; send less at a time."
        )
    return body


def loads(body: bytes | str) -> Any:
    """Parse a JSON request body within the limits above; ParseError (400) says what was wrong."""
    raw = body.encode() if isinstance(body, str) else body
    if nesting_exceeds(raw, max_json_depth()):
        raise ParseError(
            f"The JSON body is nested more than {max_json_depth()} levels deep; send flatter data.",
            code="json_too_deep",
        )
    try:
        data = json.loads(raw, parse_float=_finite, parse_constant=_no_constant)
    except ValueError as exc:  # JSONDecodeError and UnicodeDecodeError
        raise ParseError(f"The body is not valid UTF-8 JSON: {exc}", code="parse_error") from exc
    if contains_nul(data):
        raise ParseError("Text in the request body may not contain NUL (U+0000) characters.", code="nul_character")
    return data


class TextJSONParser(JSONParser):
    """DRF's JSON parser for every API view, with the body's size and depth limited (see above)."""

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        return loads(read_body(stream))
