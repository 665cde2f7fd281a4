"""A small JSON-over-HTTP server on loopback, in a thread, for the payment gateways' stand-ins (paypal.py,
razorpay.py): routes by method and path pattern, Basic/Bearer credentials, JSON or form bodies.

The standard library's ThreadingHTTPServer is enough here: the stand-ins answer a test's client one call at
a time, and a framework (aiohttp, as localstripe uses) would add an event loop for nothing.
"""

from __future__ import annotations

import base64
import json
import re
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass
class Call:
    method: str
    path: str
    params: dict[str, str]
    headers: dict[str, str]  # lower-case names
    body: bytes
    basic: tuple[str, str] | None = None
    bearer: str = ""

    def json(self) -> dict[str, Any]:
        """The body as a JSON object; `Malformed` for anything else (the stand-in answers it as its gateway would)."""
        try:
            data = json.loads(self.body or b"{}")
        except ValueError as exc:
            raise Malformed("the body is not JSON") from exc
        if not isinstance(data, dict):
            raise Malformed("the body is not a JSON object")
        return data

    def form(self) -> dict[str, str]:
        return {key: values[0] for key, values in parse_qs(self.body.decode()).items()}


class Malformed(ValueError):
    """A request the stand-in cannot read (not JSON, not an object, a broken Authorization header)."""


@dataclass
class Answer:
    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)


Route = Callable[[Call], Answer]


class StandIn:
    """Subclasses add routes with `route(method, pattern, handler)`; patterns name groups as `{name}`."""

    def __init__(self) -> None:
        self.routes: list[tuple[str, re.Pattern[str], Route]] = []
        self.lock = threading.RLock()
        self.url = ""
        self.down = False  # a test sets it to play an outage: every call answers 503

    def route(self, method: str, pattern: str, handler: Route) -> None:
        regex = re.compile("^" + re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", pattern) + "$")
        self.routes.append((method, regex, handler))

    def dispatch(self, call: Call) -> Answer:
        if self.down:
            return Answer(503, {"error": "service_unavailable"})
        for method, regex, handler in self.routes:
            match = regex.match(call.path)
            if match and method == call.method:
                call.params = match.groupdict()
                with self.lock:
                    try:
                        return handler(call)
                    except Malformed as exc:
                        return self.malformed(call, str(exc))
        return self.not_found(call)

    def not_found(self, call: Call) -> Answer:
        return Answer(404, {"error": f"no route {call.method} {call.path}"})

    def malformed(self, call: Call, reason: str) -> Answer:
        """What the gateway answers to a body it cannot read (subclasses answer in their gateway's shape)."""
        return Answer(400, {"error": reason})

    @contextmanager
    def running(self) -> Iterator[StandIn]:
        standin = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:  # quiet
                pass

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                headers = {key.lower(): value for key, value in self.headers.items()}
                call = Call(self.command, urlsplit(self.path).path, {}, headers, self.rfile.read(length))
                scheme, _, credentials = headers.get("authorization", "").partition(" ")
                if scheme == "Basic":
                    try:
                        user, _, password = base64.b64decode(credentials, validate=True).decode().partition(":")
                    except ValueError:  # binascii.Error and UnicodeDecodeError are ValueErrors
                        user, password = "", ""
                    call.basic = (user, password)
                elif scheme == "Bearer":
                    call.bearer = credentials
                try:
                    answer = standin.dispatch(call)
                except Exception as exc:  # a stand-in bug: answer it (a test sees a 500) rather than drop the line
                    answer = Answer(500, {"error": f"the stand-in failed: {type(exc).__name__}"})
                payload = b"" if answer.body is None else json.dumps(answer.body).encode()
                self.send_response(answer.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                for name, value in answer.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = do_PATCH = do_DELETE = _handle

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        server.daemon_threads = True
        thread = threading.Thread(target=server.serve_forever, name=type(self).__name__, daemon=True)
        thread.start()
        self.url = f"http://127.0.0.1:{server.server_address[1]}"
        try:
            yield self
        finally:
            server.shutdown()
            server.server_close()
            thread.join(timeout=5)
