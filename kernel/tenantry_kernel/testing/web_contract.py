"""Tests that every Tenantry Django project must pass: probes, request ids, logs, metrics, traces, error bodies.

A project's test module star-imports this module and its conftest provides a
`web_project` fixture (a `WebProject`); the tests then run against that project's own
settings, URLs and ASGI entry point, on the real PostgreSQL, Redis and RabbitMQ.
"""

from __future__ import annotations

import importlib
import os
import re
import secrets
import subprocess
import sys
import threading
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests
from django.test import Client
from opentelemetry import trace
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind
from prometheus_client.parser import text_string_to_metric_families
from pytest_django.fixtures import Settings as SettingsWrapper

from tenantry_kernel import tracing
from tenantry_kernel.testing import delete_queue, free_port, serve_app
from tenantry_kernel.testing.problems import problem


@dataclass(frozen=True)
class WebProject:
    package: str  # e.g. "control_plane"
    service: str  # e.g. "control-plane"
    directory: str  # folder holding manage.py

    @property
    def asgi_app(self) -> str:
        return f"{self.package}.asgi:application"

    def settings_module(self, environment: str) -> str:
        return f"{self.package}.settings.{environment}"


@pytest.fixture(scope="session")
def span_exporter() -> InMemorySpanExporter:
    exporter = InMemorySpanExporter()
    tracing.add_span_processor(SimpleSpanProcessor(exporter))
    return exporter


@pytest.mark.django_db
def test_readyz_is_ok_when_postgres_redis_and_rabbitmq_answer(client: Client) -> None:
    response = client.get("/readyz")

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "ok"
    assert body["failing"] == []
    assert {name: check["status"] for name, check in body["checks"].items()} == {
        "postgres": "ok",
        "redis": "ok",
        "rabbitmq": "ok",
    }


@pytest.mark.django_db
def test_readyz_names_the_broker_when_it_points_at_a_closed_port(client: Client, settings: SettingsWrapper) -> None:
    settings.CELERY_BROKER_URL = f"amqp://guest:guest@127.0.0.1:{free_port()}//"

    response = client.get("/readyz")

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["failing"] == ["rabbitmq"]
    assert body["checks"]["rabbitmq"]["status"] == "error"
    assert "refused" in body["checks"]["rabbitmq"]["error"].lower()
    assert body["checks"]["postgres"]["status"] == "ok"
    assert "guest:guest" not in response.content.decode()


@pytest.mark.django_db
def test_readyz_names_redis_when_it_points_at_a_closed_port(client: Client, settings: SettingsWrapper) -> None:
    settings.REDIS_URL = f"redis://127.0.0.1:{free_port()}/0"

    response = client.get("/readyz")

    assert response.status_code == 503
    assert response.json()["failing"] == ["redis"]


def test_healthz_answers_without_touching_dependencies(
    client: Client, settings: SettingsWrapper, web_project: WebProject
) -> None:
    settings.CELERY_BROKER_URL = f"amqp://guest:guest@127.0.0.1:{free_port()}//"

    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "service": web_project.service}
    assert response["Cache-Control"] == "no-store"


def test_probes_skip_host_validation_for_kubelet_requests(client: Client) -> None:
    # The kubelet sends the pod IP as Host, which is never in ALLOWED_HOSTS.
    assert client.get("/healthz", HTTP_HOST="10.1.2.3:8000").status_code == 200
    assert client.get("/", HTTP_HOST="10.1.2.3:8000").status_code == 400


def test_probes_refuse_writes_with_a_machine_readable_error(client: Client) -> None:
    response = client.post("/readyz")

    assert response.status_code == 405
    assert problem(response) == {"code": "method_not_allowed", "detail": "Probes answer GET and HEAD only."}
    assert response["Allow"] == "GET, HEAD"


def test_request_id_is_taken_from_the_caller_and_echoed(client: Client) -> None:
    response = client.get("/", HTTP_X_REQUEST_ID="req-123.abc")

    assert response.status_code == 200
    assert response["X-Request-ID"] == "req-123.abc"


def test_unsafe_request_id_is_replaced_by_a_generated_one(client: Client) -> None:
    response = client.get("/", HTTP_X_REQUEST_ID="bad id\nwith newline")

    assert re.fullmatch(r"[0-9a-f]{32}", response["X-Request-ID"])


def sample(exposition: str, name: str, **labels: str) -> float | None:
    """The value of one sample in a Prometheus text exposition, or None."""
    for family in text_string_to_metric_families(exposition):
        for found in family.samples:
            if found.name == name and all(found.labels.get(key) == value for key, value in labels.items()):
                return float(found.value)
    return None


@pytest.mark.django_db
def test_metrics_label_requests_by_route_template_not_raw_path(client: Client) -> None:
    client.get("/admin/auth/group/4242/change/")

    exposition = client.get("/metrics").content.decode()

    template = "/admin/auth/group/<path:object_id>/change/"
    labels = {"route": template, "method": "GET", "status": "302"}
    assert sample(exposition, "tenantry_http_request_duration_seconds_count", **labels) == 1
    assert sample(exposition, "tenantry_http_request_duration_seconds_bucket", le="+Inf", **labels) == 1
    assert sample(exposition, "tenantry_http_requests_total", **labels) == 1
    assert "/4242/" not in exposition  # no raw path in any label (a float sample may hold these digits)


@pytest.mark.django_db
def test_metrics_count_database_queries_per_route(client: Client) -> None:
    labels = {"route": "/admin/login/", "method": "POST"}
    before = sample(client.get("/metrics").content.decode(), "tenantry_http_request_db_queries_sum", **labels) or 0.0

    # A failed login looks the user up: at least one query.
    client.post("/admin/login/", {"username": "nobody", "password": "wrong-password"})

    after = sample(client.get("/metrics").content.decode(), "tenantry_http_request_db_queries_sum", **labels)
    assert after is not None
    assert after - before >= 1


def test_unmatched_paths_share_one_route_label(client: Client) -> None:
    client.get(f"/no-such-page-{secrets.token_hex(4)}/")

    exposition = client.get("/metrics").content.decode()

    assert sample(exposition, "tenantry_http_requests_total", route="<unmatched>", method="GET", status="404")
    assert "no-such-page" not in exposition


def test_metrics_need_the_token_when_one_is_configured(client: Client, settings: SettingsWrapper) -> None:
    settings.METRICS_TOKEN = "s3cret-token"

    refused = client.get("/metrics")
    allowed = client.get("/metrics", HTTP_AUTHORIZATION="Bearer s3cret-token")

    assert refused.status_code == 401
    assert problem(refused) == {"code": "not_authenticated", "detail": "Send the metrics token as a Bearer token."}
    assert refused["WWW-Authenticate"] == "Bearer"
    assert allowed.status_code == 200
    assert b"tenantry_http_requests_total" in allowed.content


def test_each_request_is_a_server_span_named_after_its_route(
    client: Client, span_exporter: InMemorySpanExporter
) -> None:
    span_exporter.clear()

    client.get("/admin/auth/group/7/change/")

    server_spans = [span for span in span_exporter.get_finished_spans() if span.kind == SpanKind.SERVER]
    assert len(server_spans) == 1
    assert server_spans[0].attributes is not None
    assert server_spans[0].attributes.get("http.route") == "admin/auth/group/<path:object_id>/change/"


@pytest.mark.django_db
def test_database_queries_are_traced_as_child_spans(client: Client, span_exporter: InMemorySpanExporter) -> None:
    span_exporter.clear()

    client.post("/admin/login/", {"username": "nobody", "password": "wrong-password"})

    spans = span_exporter.get_finished_spans()
    server = next(span for span in spans if span.kind == SpanKind.SERVER)
    db_spans = [
        span
        for span in spans
        if span.kind == SpanKind.CLIENT and span.attributes and span.attributes.get("db.system") == "postgresql"
    ]
    assert db_spans, [span.name for span in spans]
    assert all(span.context.trace_id == server.context.trace_id for span in db_spans)


@pytest.fixture
def test_database_env(django_db_setup: None) -> dict[str, str]:
    """Environment that points a served process at pytest-django's test database."""
    from django.db import connection

    params = connection.settings_dict
    return {
        "DATABASE_URL": "",
        "PGHOST": str(params["HOST"] or ""),
        "PGPORT": str(params["PORT"] or ""),
        "PGUSER": str(params["USER"] or ""),
        "PGPASSWORD": str(params["PASSWORD"] or ""),
        "PGDATABASE": str(params["NAME"]),
    }


def test_served_app_writes_one_json_access_line_with_request_and_trace_ids(web_project: WebProject) -> None:
    trace_id = secrets.token_hex(16)
    traceparent = f"00-{trace_id}-{secrets.token_hex(8)}-01"

    with serve_app(
        web_project.asgi_app, web_project.service, web_project.settings_module("test"), web_project.directory
    ) as app:
        # urllib, not requests: this process instruments requests, which would replace
        # our traceparent with one of its own.
        request = urllib.request.Request(
            f"{app.base_url}/", headers={"X-Request-ID": "contract-req-1", "traceparent": traceparent}
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            status, echoed_id = response.status, response.headers["X-Request-ID"]
        lines = app.wait_for_record(lambda record: record.get("request_id") == "contract-req-1")

    assert status == 200
    assert echoed_id == "contract-req-1"
    assert len(lines) == 1, lines
    line = lines[0]
    assert line["logger"] == "tenantry.access"
    assert line["service"] == web_project.service
    assert line["trace_id"] == trace_id, line
    assert line["route"] == "/"
    assert line["status"] == 200
    assert line["level"] == "INFO"
    assert "timestamp" in line


def test_served_app_is_ready_against_real_services(web_project: WebProject, test_database_env: dict[str, str]) -> None:
    with serve_app(
        web_project.asgi_app,
        web_project.service,
        web_project.settings_module("test"),
        web_project.directory,
        env=test_database_env,
    ) as app:
        health = requests.get(f"{app.base_url}/healthz", timeout=10)
        ready = requests.get(f"{app.base_url}/readyz", timeout=10)

    assert health.status_code == 200
    assert ready.status_code == 200, ready.text


def test_served_app_reports_postgres_down_with_503(web_project: WebProject) -> None:
    closed = str(free_port())

    with serve_app(
        web_project.asgi_app,
        web_project.service,
        web_project.settings_module("test"),
        web_project.directory,
        env={"PGHOST": "127.0.0.1", "PGPORT": closed, "DATABASE_URL": ""},
    ) as app:
        ready = requests.get(f"{app.base_url}/readyz", timeout=10)

    assert ready.status_code == 503
    assert ready.json()["failing"] == ["postgres"]


def test_production_settings_pass_the_deployment_checklist(web_project: WebProject) -> None:
    env = {
        "DJANGO_SETTINGS_MODULE": web_project.settings_module("production"),
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(64),
        "DJANGO_ALLOWED_HOSTS": "tenantry.example",
    }

    result = _manage(web_project, ["check", "--deploy", "--fail-level", "WARNING"], env)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_settings_refuse_to_start_without_a_secret_key(web_project: WebProject) -> None:
    env = {
        "DJANGO_SETTINGS_MODULE": web_project.settings_module("production"),
        "DJANGO_SECRET_KEY": "",
        "DJANGO_ALLOWED_HOSTS": "x",
    }

    result = _manage(web_project, ["check"], env)

    assert result.returncode != 0
    assert "Set DJANGO_SECRET_KEY" in result.stderr


def _manage(web_project: WebProject, args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=web_project.directory,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=600,  # a guard against a hang: collectstatic alone took over 120 s on a loaded 2-core machine
    )


def test_production_static_files_collect_with_a_manifest(web_project: WebProject, tmp_path: Path) -> None:
    # As the container build does: compressed, hashed static files for WhiteNoise.
    env = {
        "DJANGO_SETTINGS_MODULE": web_project.settings_module("production"),
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(64),
        "DJANGO_ALLOWED_HOSTS": "build.invalid",
        "DJANGO_STATIC_ROOT": str(tmp_path),
    }

    result = _manage(web_project, ["collectstatic", "--noinput", "-v", "0"], env)

    assert result.returncode == 0, result.stderr
    assert (tmp_path / "staticfiles.json").is_file()
    assert list(tmp_path.glob("admin/css/base.*.css.gz"))


def test_a_task_runs_on_a_real_worker_in_the_trace_of_its_sender(
    web_project: WebProject, span_exporter: InMemorySpanExporter
) -> None:
    # Given the project's Celery app on the real RabbitMQ, a private queue and a worker.
    from tenantry_kernel.testing.workers import worker_on_queue

    celery_app = importlib.import_module(web_project.package).celery_app
    suffix = secrets.token_hex(4)
    queue = f"contract-{suffix}"
    ran = threading.Event()

    @celery_app.task(name=f"contract.traced_{suffix}")  # type: ignore[untyped-decorator]
    def traced() -> None:
        ran.set()

    tracer = trace.get_tracer("web-contract")
    try:
        with worker_on_queue(celery_app, queue, pool="solo", concurrency=1):
            span_exporter.clear()
            # When a request-like span sends the task,
            with tracer.start_as_current_span("sender") as sender:
                traced.apply_async(queue=queue)
            assert ran.wait(30), "the worker did not run the task"
            time.sleep(0.2)  # the consumer span ends just after the task body
    finally:
        delete_queue(celery_app, queue)

    # then publish and run are spans of the sender's trace.
    spans = span_exporter.get_finished_spans()
    trace_id = sender.get_span_context().trace_id
    kinds = {span.kind for span in spans if span.context.trace_id == trace_id and suffix in span.name}
    assert {SpanKind.PRODUCER, SpanKind.CONSUMER} <= kinds, [(span.name, span.kind) for span in spans]


def test_passwords_are_hashed_with_argon2_outside_tests(web_project: WebProject) -> None:
    base = importlib.import_module(f"{web_project.package}.settings.base")

    assert base.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    from django.contrib.auth.hashers import Argon2PasswordHasher

    assert Argon2PasswordHasher().encode("correct horse battery", "saltsaltsalt").startswith("argon2$argon2id$")


def test_a_nul_character_in_the_address_is_a_400_with_the_error_body(client: Client) -> None:
    in_query = client.get("/no-such-page/", {"q": "a\x00b"})
    in_path = client.get("/no-such-page/a%00b/")

    for response in (in_query, in_path):
        assert response.status_code == 400
        assert problem(response) == {
            "code": "nul_character",
            "detail": "The address may not contain NUL (U+0000) characters.",
        }
    assert in_path.json()["instance"] == "/no-such-page/a%00b/"


NOT_FOUND_DETAIL = "There is no API endpoint at this address; check the path and its trailing slash."
HOST_DETAIL = "This service does not answer the host named in the Host header; use one of its own addresses."
DEBUG_MODES = pytest.mark.parametrize("debug", [False, True], ids=["production-like", "debug"])


@DEBUG_MODES
def test_errors_under_the_api_prefix_answer_problem_details_even_under_debug(
    settings: SettingsWrapper, debug: bool
) -> None:
    # Under DEBUG Django answers with its technical pages, ignoring handler404; the API must not.
    settings.DEBUG = debug
    client = Client(raise_request_exception=False)

    unknown = client.get("/api/v1/no-such-endpoint/")
    bad_host = client.get("/api/v1/no-such-endpoint/", HTTP_HOST="attacker.example")
    elsewhere = client.get("/no-such-page/")

    assert unknown.status_code == 404
    assert unknown["Content-Type"] == "application/problem+json"
    assert unknown.json() == {
        "type": "/api/problems/not_found",
        "title": "Not found",
        "status": 404,
        "detail": NOT_FOUND_DETAIL,
        "instance": "/api/v1/no-such-endpoint/",
        "code": "not_found",
    }
    assert bad_host.status_code == 400
    assert bad_host.json() == {
        "type": "/api/problems/disallowed_host",
        "title": "Host not served",
        "status": 400,
        "detail": HOST_DETAIL,
        "instance": "/api/v1/no-such-endpoint/",
        "code": "disallowed_host",
    }
    assert elsewhere.status_code == 404
    assert elsewhere["Content-Type"].startswith("text/html")  # outside the API, Django's own pages stay


@pytest.fixture
def contract_client(settings: SettingsWrapper) -> Client:
    """A client of the contract's own routes (tenantry_kernel.testing.contract_urls) under the project's settings."""
    settings.ROOT_URLCONF = "tenantry_kernel.testing.contract_urls"
    return Client(raise_request_exception=False)


ECHO = "/api/contract/echo/"


@DEBUG_MODES
def test_every_refusal_of_a_request_is_a_problem_with_its_status_and_code(
    contract_client: Client, settings: SettingsWrapper, debug: bool
) -> None:
    settings.DEBUG = debug
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100

    parse_error = contract_client.post(ECHO, "{not json", content_type="application/json")
    unsupported = contract_client.post(ECHO, "email=a", content_type="text/plain")
    not_acceptable = contract_client.post(ECHO, "{}", content_type="application/json", HTTP_ACCEPT="text/html")
    wrong_method = contract_client.delete(ECHO)
    too_large = contract_client.post(ECHO, '{"text": "' + "x" * 200 + '"}', content_type="application/json")
    not_drf = contract_client.post("/api/problems/")  # a plain Django view: Django's 405, made a problem

    assert contract_client.post(ECHO, '{"a": 1}', content_type="application/json").json() == {"received": {"a": 1}}
    assert [
        (response.status_code, problem(response))
        for response in (parse_error, unsupported, not_acceptable, wrong_method, too_large, not_drf)
    ] == [
        (
            400,
            {
                "code": "parse_error",
                "detail": "The body is not valid UTF-8 JSON: "
                "Expecting property name enclosed in double quotes: line 1 column 2 (char 1)",
            },
        ),
        (415, {"code": "unsupported_media_type", "detail": 'Unsupported media type "text/plain" in request.'}),
        (406, {"code": "not_acceptable", "detail": "Could not satisfy the request Accept header."}),
        (405, {"code": "method_not_allowed", "detail": 'Method "DELETE" not allowed.'}),
        (
            413,
            {
                "code": "request_too_large",
                "detail": "The request body is larger than 100 bytes, the most this API accepts; send less at a time.",
            },
        ),
        (405, {"code": "method_not_allowed", "detail": "This endpoint does not answer POST; see Allow."}),
    ]
    assert (wrong_method["Allow"], not_drf["Allow"]) == ("POST, OPTIONS", "GET, HEAD")


@DEBUG_MODES
def test_a_crash_is_a_500_problem_naming_the_request_id(
    contract_client: Client, settings: SettingsWrapper, debug: bool
) -> None:
    settings.DEBUG = debug

    response = contract_client.get("/api/contract/crash/", HTTP_X_REQUEST_ID="contract-crash-1")

    assert response.status_code == 500
    assert response.json() == {
        "type": "/api/problems/server_error",
        "title": "Server error",
        "status": 500,
        "detail": "The server failed to answer this request; try again later, or report request id contract-crash-1.",
        "instance": "/api/contract/crash/",
        "code": "server_error",
        "request_id": "contract-crash-1",
    }


def test_invalid_input_lists_each_message_with_a_json_pointer_into_the_input() -> None:
    from rest_framework.exceptions import ErrorDetail

    from tenantry_kernel.web.errors import problem_errors

    detail = {
        "address": {"non_field_errors": [ErrorDetail("We do not ship there.", "unshippable")]},
        "items": [{}, {}, {"sku": [ErrorDetail("Too long.", "max_length"), ErrorDetail("Unknown.", "unknown")]}],
        "a/b~c": [ErrorDetail("Escaped.", "invalid")],
        "non_field_errors": [ErrorDetail("Nothing fits.", "invalid")],
    }

    assert problem_errors(detail) == [
        {"pointer": "/address", "detail": "We do not ship there.", "code": "unshippable"},
        {"pointer": "/items/2/sku", "detail": "Too long.", "code": "max_length"},
        {"pointer": "/items/2/sku", "detail": "Unknown.", "code": "unknown"},
        {"pointer": "/a~1b~0c", "detail": "Escaped.", "code": "invalid"},
        {"pointer": "", "detail": "Nothing fits.", "code": "invalid"},
    ]


def test_each_problem_type_is_documented_at_its_type(client: Client) -> None:
    listed = client.get("/api/problems/")
    not_found = client.get("/api/v1/no-such-endpoint/").json()
    documented = client.get(not_found["type"])
    with_slash = client.get(not_found["type"] + "/")
    unknown = client.get("/api/problems/no_such_problem/")

    assert listed.status_code == 200
    codes = [entry["code"] for entry in listed.json()["problems"]]
    assert codes == sorted(codes)
    assert {"invalid", "parse_error", "not_found", "method_not_allowed", "throttled", "server_error"} <= set(codes)
    assert documented.status_code == with_slash.status_code == 200
    assert (
        documented.json()
        == with_slash.json()
        == {
            "type": "/api/problems/not_found",
            "code": "not_found",
            "status": 404,
            "title": not_found["title"],
            "description": "Nothing is found at this address, or it is not yours to see.",
        }
    )
    assert problem(unknown) == {
        "code": "not_found",
        "detail": "There is no problem type 'no_such_problem'; GET /api/problems/ lists them all.",
    }


def test_every_code_of_the_registry_has_a_status_a_title_and_a_description() -> None:
    from tenantry_kernel.web.problems import all_problems

    for entry in all_problems():
        assert re.fullmatch(r"[a-z][a-z0-9_]*", entry.code), entry
        assert 400 <= entry.status <= 599, entry
        assert entry.title and entry.title[0].isupper() and not entry.title.endswith("."), entry
        assert entry.description.endswith("."), entry


def test_a_code_registered_twice_with_two_meanings_is_refused_at_startup() -> None:
    from django.core.exceptions import ImproperlyConfigured

    from tenantry_kernel.web.problems import Problem, collect_problems, problem, register

    same = problem("not_found")
    assert same is not None
    try:
        register([same], "a second app")  # the same meaning twice is fine
        with pytest.raises(ImproperlyConfigured, match="'not_found' of a third app means something else"):
            register([Problem("not_found", 410, "Gone", "Gone for good.")], "a third app")
    finally:
        collect_problems()
    assert problem("not_found") == same


def test_a_test_during_which_the_api_answers_an_unregistered_code_fails(
    web_project: WebProject, tmp_path: Path
) -> None:
    # The plugin tenantry_kernel.testing.problems, in the project's pytest.ini, fails such a test.
    test_file = tmp_path / "test_unregistered.py"
    test_file.write_text(
        "from tenantry_kernel.web.errors import problem_body\n\n\n"
        "def test_answers_a_code_nobody_registered():\n"
        "    problem_body('no_such_code', 'Nothing.', status=418)\n"
    )

    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "-c",
            "pytest.ini",
            "--rootdir",
            ".",
            str(test_file),
        ],
        cwd=web_project.directory,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 1, result.stdout + result.stderr
    assert "The API answered error codes missing from the registry" in result.stdout, result.stdout
    assert "unregistered problem code 'no_such_code' answered with status 418" in result.stdout


def test_serializer_fields_refuse_numbers_for_text_and_digits_other_than_ascii() -> None:
    # Installed on DRF's own fields by the kernel's web app (tenantry_kernel.web.fields) in every project.
    from decimal import Decimal

    from rest_framework import serializers

    amount = serializers.DecimalField(max_digits=12, decimal_places=2)
    for number in (12, 1.5, float("inf")):
        with pytest.raises(serializers.ValidationError, match="Not a valid string"):
            serializers.CharField().run_validation(number)
    with pytest.raises(serializers.ValidationError, match="A valid number is required"):
        amount.run_validation("\u0661\u0662")  # Arabic-Indic 12
    zero = amount.run_validation("-0")
    assert (zero, zero.is_signed()) == (Decimal("0.00"), False)
    assert serializers.CharField().run_validation("12") == "12"


def test_a_password_of_only_spaces_is_refused_by_the_validators() -> None:
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as refused:
        validate_password(" " * 16)

    assert refused.value.messages == ["This password is only spaces; choose one with letters, digits or symbols."]


@pytest.mark.parametrize(
    ("body", "deepest"),
    [
        (b"[" * 64 + b"]" * 64, 64),
        (b'{"a":' * 64 + b"1" + b"}" * 64, 64),
        (b'[{"a": [1, 2]}, {"b": {"c": []}}]', 4),
        (b'["[[[[[[[[", "{{{{{{{{{"]', 1),  # brackets in strings do not count
        (b'["\\"[[[[[[[[", "\\\\", [[]]]', 3),  # nor after an escaped quote; an escaped backslash ends its escape
        (b'"' + b"[" * 10_000, 0),  # an unterminated string runs to the end
    ],
    ids=["arrays", "objects", "mixed", "in-strings", "escapes", "unterminated-string"],
)
def test_json_nesting_is_counted_outside_strings(body: bytes, deepest: int) -> None:
    from tenantry_kernel.json_depth import nesting_exceeds

    assert not nesting_exceeds(body, deepest)
    assert nesting_exceeds(body, deepest - 1) == (deepest > 0)


def test_json_deeper_than_the_limit_is_refused_before_parsing_and_the_limit_itself_is_read() -> None:
    from rest_framework.exceptions import ParseError

    from tenantry_kernel.web.parsers import loads

    nested: list[Any] = []
    for _ in range(63):
        nested = [nested]
    assert loads(b"[" * 64 + b"]" * 64) == nested  # 64 levels: the limit itself is fine
    for body in (b"[" * 65 + b"]" * 65, b"[" * 1_000_000):  # the second would not even parse: never tried
        with pytest.raises(ParseError) as refused:
            loads(body)
        assert refused.value.get_codes() == "json_too_deep"


@pytest.mark.parametrize(
    ("text", "value"),
    [("12.50", "12.50"), (" 7 ", "7"), ("-0", "0"), ("-0.00", "0.00"), ("+3", "3"), (".5", "0.5"), ("1e3", "1E+3")],
)
def test_decimals_in_ascii_digits_are_read_and_minus_zero_is_zero(text: str, value: str) -> None:
    from tenantry_kernel.web.fields import parse_decimal

    parsed = parse_decimal(text)

    assert (str(parsed), parsed.is_signed()) == (value, False)


@pytest.mark.parametrize("text", ["\u0661\u0662", "\uff11\uff12", "12\u0663", "1_000", "NaN", "Infinity", "", "1.2.3"])
def test_decimals_in_other_digits_or_words_are_refused(text: str) -> None:
    from tenantry_kernel.web.fields import parse_decimal

    with pytest.raises(ValueError, match="is not a decimal number in ASCII digits"):
        parse_decimal(text)
