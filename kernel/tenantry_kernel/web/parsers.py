"""Request bodies PostgreSQL can store: JSON whose text holds no NUL character.

PostgreSQL text cannot hold U+0000; a NUL reaching a query fails deep in the driver as a
500. It is refused at the door instead, with the usual 400 body.
"""

from __future__ import annotations

from typing import Any

from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser


def contains_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(contains_nul(key) or contains_nul(item) for key, item in value.items())
    if isinstance(value, list):
        return any(contains_nul(item) for item in value)
    return False


class TextJSONParser(JSONParser):
    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        data = super().parse(stream, media_type, parser_context)
        if contains_nul(data):
            raise ParseError("Text in the request body may not contain NUL (U+0000) characters.", code="nul_character")
        return data
