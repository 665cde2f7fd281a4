"""The OpenAPI contract every Tenantry Django project keeps, as tests: its schema generates without a warning, is
valid OpenAPI 3, and documents every operation (tenantry_kernel.web.openapi).

A project's test module star-imports this module (like identity_contract); the tests then generate that project's
own schema from its URLs and settings. `schema_faults(schema)` is the checker, what `manage.py spectacular
--validate --fail-on-warn` checks and more: each operation has a summary and a description, examples of its
request and success bodies, its error responses as `application/problem+json` (the `Problem` component) with an
example of each code it answers, every such code registered (tenantry_kernel.web.problems), and
`Location` on a 201 or 202. The tests at the bottom show it fails on a toy API that breaks each rule.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import jsonschema
import pytest
import yaml
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.urls import URLPattern, path
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.settings import spectacular_settings
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema, extend_schema_serializer
from drf_spectacular.validation import validate_schema
from pytest_django.fixtures import Settings as SettingsWrapper
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from tenantry_kernel.web import problems as registry
from tenantry_kernel.web.errors import PROBLEM_CONTENT_TYPE
from tenantry_kernel.web.middleware import ApiErrorBodyMiddleware
from tenantry_kernel.web.openapi import PROBLEM_REF, problems, request_example, response_example

METHODS = ("get", "put", "post", "patch", "delete")
WITH_LOCATION = ("201", "202")


def generate(patterns: list[URLPattern] | None = None) -> tuple[dict[str, Any], list[str]]:
    """The project's schema as /api/schema/ serves it (or that of `patterns`), and what the generator warned of."""
    GENERATOR_STATS.reset()
    try:
        generator = spectacular_settings.DEFAULT_GENERATOR_CLASS(patterns=patterns)
        schema: dict[str, Any] = generator.get_schema(request=None, public=True)
        complaints = [*GENERATOR_STATS._warn_cache, *GENERATOR_STATS._error_cache]
    finally:
        GENERATOR_STATS.reset()
    return schema, complaints


def schema_faults(schema: dict[str, Any]) -> list[str]:
    """Everything in `schema` that breaks the contract, one line each; empty for a good schema."""
    faults: list[str] = []
    try:
        validate_schema(schema)  # type: ignore[no-untyped-call]  # drf-spectacular leaves it untyped
    except jsonschema.ValidationError as error:
        where = "/".join(str(part) for part in error.absolute_path)
        faults.append(f"not valid OpenAPI 3 at /{where}: {error.message}")
    if "Problem" not in schema.get("components", {}).get("schemas", {}):
        faults.append("no Problem component (tenantry_kernel.web.openapi.add_problem_component)")
    for route, item in schema.get("paths", {}).items():
        for method in METHODS:
            if method in item:
                faults += [f"{method.upper()} {route}: {fault}" for fault in operation_faults(item[method])]
    return faults


def operation_faults(operation: dict[str, Any]) -> Iterator[str]:
    if not operation.get("summary"):
        yield "no summary"
    if not operation.get("description"):
        yield "no description"
    for media_type, body in operation.get("requestBody", {}).get("content", {}).items():
        if not _has_example(body):
            yield f"no example of its {media_type} request body"
    responses: dict[str, dict[str, Any]] = operation.get("responses", {})
    for status, response in responses.items():
        if status.startswith("2"):
            yield from _success_faults(status, response)
        elif status.startswith(("4", "5")):
            yield from _error_faults(status, response)
    if not any(status.startswith(("4", "5")) for status in responses):
        yield "no error responses"


def _has_example(body: dict[str, Any]) -> bool:
    return bool(body.get("examples")) or "example" in body


def _success_faults(status: str, response: dict[str, Any]) -> Iterator[str]:
    if status in WITH_LOCATION and "Location" not in response.get("headers", {}):
        yield f"{status} without a Location header"
    for media_type, body in response.get("content", {}).items():
        if not _has_example(body):
            yield f"{status}: no example of its {media_type} body"


def _error_faults(status: str, response: dict[str, Any]) -> Iterator[str]:
    content = response.get("content", {})
    body = content.get(PROBLEM_CONTENT_TYPE)
    if set(content) != {PROBLEM_CONTENT_TYPE} or body is None or body.get("schema") != PROBLEM_REF:
        yield f"{status}: not the Problem body as {PROBLEM_CONTENT_TYPE} alone"
        return
    examples = body.get("examples", {})
    if not examples:
        yield f"{status}: no example of a problem code it answers"
    for example in examples.values():
        value = example.get("value", {})
        code = value.get("code")
        if not isinstance(code, str) or registry.problem(code) is None:
            yield f"{status}: code {code!r} is not in the registry (list it in an app's errors.py)"
        elif str(value.get("status")) != status:
            yield f"{status}: the example of {code!r} has status {value.get('status')!r}"


# -- the tests a project runs ----------------------------------------------------------------------------------------


@pytest.fixture
def openapi_host() -> str:
    """The Host that /api/schema/ is asked on (a project's test module may override it)."""
    return "localhost"


def test_the_schema_generates_without_warnings_and_keeps_the_contract() -> None:
    schema, complaints = generate()

    assert complaints == [], "\n".join(complaints)
    faults = schema_faults(schema)
    assert faults == [], "\n".join(faults)
    assert schema["openapi"].startswith("3.")
    problem_codes = schema["components"]["schemas"]["Problem"]["properties"]["code"]["enum"]
    assert problem_codes == [entry.code for entry in registry.all_problems()]


def test_the_schema_is_served_as_json_and_yaml_and_docs_load_it(openapi_host: str) -> None:
    client = Client(HTTP_HOST=openapi_host)
    generated, _ = generate()

    as_json = client.get("/api/schema/", {"format": "json"})
    as_yaml = client.get("/api/schema/", {"format": "yaml"})
    docs = client.get("/api/docs/")

    assert as_json.status_code == 200
    assert as_json["Content-Type"].startswith("application/vnd.oai.openapi+json")
    assert as_yaml.status_code == 200
    assert as_yaml["Content-Type"].startswith("application/vnd.oai.openapi")
    assert json.loads(as_json.content) == yaml.safe_load(as_yaml.content) == json.loads(json.dumps(generated))
    assert docs.status_code == 200
    assert '"/api/schema/"' in docs.content.decode()


# -- the checker fails where it should: a toy API ----------------------------------------------------------------


# A public toy without budgets: none of the frame's errors apply to it. (No docstring: drf-spectacular would take
# it, inherited, as the description of every toy.)
class ToyView(APIView):
    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]
    throttle_classes: list[Any] = []


class UndocumentedToyView(ToyView):
    def get(self, request: Request) -> Response:
        return Response({"name": "kite"})


@extend_schema_serializer(
    examples=[request_example("A kite", {"name": "kite"}), response_example("Kite", {"name": "kite"})]
)
class ToySerializer(serializers.Serializer[Any]):
    name = serializers.CharField()


class DocumentedToyView(ToyView):
    @extend_schema(
        summary="Make a toy",
        description="A toy documented as the contract asks.",
        request=ToySerializer,
        responses={201: ToySerializer, **problems("invalid")},
    )
    def post(self, request: Request) -> Response:
        return Response({"name": "kite"}, status=201, headers={"Location": "/api/v1/toys/kite/"})


class ToyViewWithAnUnknownCode(ToyView):
    @extend_schema(
        summary="Read a toy",
        description="Answers an error code that no app registers.",
        responses={
            200: ToySerializer,
            (418, PROBLEM_CONTENT_TYPE): OpenApiResponse(
                PROBLEM_REF,
                description="A teapot.",
                examples=[OpenApiExample("teapot", value={"code": "teapot"}, status_codes=["418"])],
            ),
        },
    )
    def get(self, request: Request) -> Response:
        return Response({"name": "kite"})


def toy_faults(view: type[APIView]) -> list[str]:
    schema, _ = generate([path("api/v1/toys/", view.as_view())])
    return schema_faults(schema)


def test_the_checker_passes_a_documented_toy() -> None:
    faults = toy_faults(DocumentedToyView)

    assert faults == [], faults


def test_the_checker_reports_an_undocumented_operation(settings: SettingsWrapper) -> None:
    settings.API_EVERY_OPERATION_PROBLEMS = []  # the tenant app's store-host errors would document some

    faults = toy_faults(UndocumentedToyView)

    assert faults == [
        "GET /api/v1/toys/: no summary",
        "GET /api/v1/toys/: no description",
        "GET /api/v1/toys/: no error responses",
    ], faults


def test_the_checker_reports_a_201_without_location() -> None:
    schema, _ = generate([path("api/v1/toys/", DocumentedToyView.as_view())])
    del schema["paths"]["/api/v1/toys/"]["post"]["responses"]["201"]["headers"]["Location"]

    assert schema_faults(schema) == ["POST /api/v1/toys/: 201 without a Location header"]


@pytest.mark.api_contract_broken
@pytest.mark.parametrize(
    ("status", "headers", "logged"),
    [(201, {}, True), (202, {}, True), (201, {"Location": "/x/"}, False), (200, {}, False)],
)
def test_an_api_answer_without_the_location_it_documents_is_logged(
    status: int, headers: dict[str, str], logged: bool, caplog: pytest.LogCaptureFixture
) -> None:
    middleware = ApiErrorBodyMiddleware(lambda request: HttpResponse(status=status, headers=headers))

    middleware(RequestFactory().post("/api/v1/toys/"))

    messages = [record.getMessage() for record in caplog.records if record.name == "tenantry.api_contract"]
    expected = (
        f"POST /api/v1/toys/ answered {status} without a Location header; say where the result is (201) or where "
        "to follow the work (202)"
    )
    assert messages == ([expected] if logged else [])


def test_the_checker_reports_an_error_code_missing_from_the_registry() -> None:
    assert "GET /api/v1/toys/: 418: code 'teapot' is not in the registry (list it in an app's errors.py)" in toy_faults(
        ToyViewWithAnUnknownCode
    )


def test_the_checker_reports_a_schema_that_is_not_openapi() -> None:
    schema, _ = generate([path("api/v1/toys/", DocumentedToyView.as_view())])
    del schema["info"]

    assert schema_faults(schema) == ["not valid OpenAPI 3 at /: 'info' is a required property"]
