"""Reading and checking problem details (tenantry_kernel.web.errors) in tests, and the check that every code is known.

`problem(response)` checks an error response against RFC 9457 and the registry and gives what a test
compares: {"code", "detail"} and, for invalid input, "errors" as {pointer: [messages]}.
`field_errors(body)` is that last mapping alone.

As a pytest plugin (`-p tenantry_kernel.testing.problems` in a Django project's pytest.ini), it fails
every test during which the API answered a code missing from the registry (the handler logs each one
on "tenantry.problems"); a test that means to do so says `@pytest.mark.unregistered_problems`. It fails
as well every test during which the API answered against its documented contract: a 201 or 202 without
`Location` (tenantry_kernel.web.middleware logs each one on "tenantry.api_contract"); a test that means to
do so says `@pytest.mark.api_contract_broken`.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import unquote, urlsplit

import pytest

from tenantry_kernel.web import problems as registry
from tenantry_kernel.web.problems import PROBLEM_PATH, Problem

PROBLEM_CONTENT_TYPE = "application/problem+json"
MEMBERS = {"type", "title", "status", "detail", "instance", "code", "errors", "request_id"}
REQUIRED = {"type", "title", "status", "detail", "code"}


def _parts(answer: Any) -> tuple[dict[str, Any], Any]:
    """The body of a response (Django's test client, requests) or of a body itself, and the response."""
    if isinstance(answer, dict):
        return answer, None
    body: dict[str, Any] = answer.json()
    return body, answer


def _path_of(response: Any) -> str | None:
    request = getattr(response, "wsgi_request", None) or getattr(response, "asgi_request", None)
    if request is not None:
        return str(request.path)
    prepared = getattr(response, "request", None)
    url = getattr(prepared, "url", None)
    return urlsplit(url).path if isinstance(url, str) else None


def problem(answer: Any) -> dict[str, Any]:
    """The essentials of an error response's problem details, after checking the whole of them.

    Checked: the members (RFC 9457's and ours, nothing else), `type` naming `code`'s documentation, the
    registered title (where the registry is loaded, as in a Django test process), and, given a response
    rather than a body, the problem+json content type, `status` equal to the response's and `instance`
    equal to the request's path.
    """
    body, response = _parts(answer)
    assert REQUIRED <= set(body) <= MEMBERS, body
    code = body["code"]
    assert body["type"] == PROBLEM_PATH + code, body
    assert isinstance(body["status"], int) and 400 <= body["status"] <= 599, body
    if registry.all_problems():
        known = registry.problem(code)
        assert known is not None, f"{code!r} is not a registered problem code: {body}"
        assert body["title"] == known.title, body
    if response is not None:
        content_type = response.headers.get("Content-Type", "")
        assert content_type.startswith(PROBLEM_CONTENT_TYPE), content_type
        assert body["status"] == response.status_code, body
        path = _path_of(response)
        if path is not None:
            assert unquote(body["instance"]) == unquote(path), body
    essentials: dict[str, Any] = {"code": code, "detail": body["detail"]}
    if "errors" in body:
        essentials["errors"] = field_errors(body)
    return essentials


def field_errors(answer: Any) -> dict[str, list[str]]:
    """The `errors` of problem details (or of GraphQL error extensions) as {pointer: [messages]}."""
    body, _ = _parts(answer)
    fields: dict[str, list[str]] = {}
    for error in body.get("errors", []):
        assert set(error) == {"pointer", "detail", "code"}, error
        pointer = error["pointer"]
        assert pointer == "" or pointer.startswith("/"), error
        fields.setdefault(pointer, []).append(error["detail"])
    return fields


def error_codes(answer: Any) -> dict[str, list[str]]:
    """The `errors` of problem details as {pointer: [field error codes]}."""
    body, _ = _parts(answer)
    codes: dict[str, list[str]] = {}
    for error in body.get("errors", []):
        codes.setdefault(error["pointer"], []).append(error["code"])
    return codes


@contextmanager
def registered(*problems: Problem) -> Iterator[None]:
    """Problems of a test's own views in the registry while the block runs."""
    registry.register(problems, "a test")
    try:
        yield
    finally:
        registry.collect_problems()


class _Collector(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "unregistered_problems: the test answers unregistered error codes on purpose")
    config.addinivalue_line("markers", "api_contract_broken: the test answers against the API's contract on purpose")


@pytest.fixture(autouse=True)
def _problem_codes_are_registered(request: pytest.FixtureRequest) -> Iterator[None]:
    collector, contract = _Collector(), _Collector()
    logger, contract_logger = logging.getLogger("tenantry.problems"), logging.getLogger("tenantry.api_contract")
    logger.addHandler(collector)
    contract_logger.addHandler(contract)
    try:
        yield
    finally:
        logger.removeHandler(collector)
        contract_logger.removeHandler(contract)
    if collector.messages and request.node.get_closest_marker("unregistered_problems") is None:
        pytest.fail(
            "The API answered error codes missing from the registry; list them in the raising app's errors.py "
            "(tenantry_kernel.web.problems):\n" + "\n".join(collector.messages),
            pytrace=False,
        )
    if contract.messages and request.node.get_closest_marker("api_contract_broken") is None:
        pytest.fail(
            "The API answered against its documented contract (tenantry_kernel.web.openapi):\n"
            + "\n".join(contract.messages),
            pytrace=False,
        )
