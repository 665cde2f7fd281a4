"""Server-Sent Events as both projects stream them: the wire format, the response and error negotiation.

A stream view authenticates and checks everything before it answers (errors are problem details, as JSON),
then returns `event_stream_response(generator)`: under ASGI the handler iterates the async generator after
the view has returned, and cancels it when the client goes away.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterable
from typing import Any

from django.http import StreamingHttpResponse
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.parsers import BaseParser
from rest_framework.renderers import BaseRenderer
from rest_framework.request import Request

CONTENT_TYPE = "text/event-stream"
# How long EventSource waits before reconnecting (milliseconds).
RETRY_MS = 3000
HEARTBEAT = ": heartbeat\n\n"


class JSONErrorsWhateverTheAccept(BaseContentNegotiation):
    """EventSource asks for text/event-stream only; an error before the stream is still problem details (JSON)."""

    def select_renderer(
        self, request: Request, renderers: Iterable[BaseRenderer], format_suffix: str | None = None
    ) -> tuple[BaseRenderer, str]:
        renderer = next(iter(renderers))
        return renderer, renderer.media_type

    def select_parser(self, request: Request, parsers: Iterable[BaseParser]) -> BaseParser | None:
        return next(iter(parsers), None)


def sse_event(data: dict[str, Any], *, name: str | None = None, event_id: str | int | None = None) -> str:
    """One event: `id:` when given (EventSource sends it back as Last-Event-ID), `event:` when named."""
    lines = [f"id: {event_id}"] if event_id is not None else []
    if name:
        lines.append(f"event: {name}")
    lines.append(f"data: {json.dumps(data)}")  # json.dumps writes no newlines
    return "\n".join(lines) + "\n\n"


def retry_hint(milliseconds: int = RETRY_MS) -> str:
    return f"retry: {milliseconds}\n\n"


def event_stream_response(stream: AsyncIterator[str]) -> StreamingHttpResponse:
    response = StreamingHttpResponse(stream, content_type=CONTENT_TYPE)
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"  # nginx (ingress) passes events on as they come
    return response
