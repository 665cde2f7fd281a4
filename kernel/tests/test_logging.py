"""JSON log lines carry service, request id, tenant and trace id."""

import dataclasses
import io
import json
import logging
import logging.config
import queue
from typing import Any

import pytest
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider

from tenantry_kernel.context import accept_request_id, bound_request_id, bound_tenant
from tenantry_kernel.logging import logging_config


@pytest.fixture
def log_stream():
    stream = io.StringIO()
    config = logging_config("unit-test", level="DEBUG")
    config["handlers"]["stdout"] = {**config["handlers"]["stdout"], "stream": stream}
    logging.config.dictConfig(config)
    yield stream
    logging.config.dictConfig({"version": 1, "disable_existing_loggers": False})


def records(stream: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_a_record_outside_any_request_has_null_ids(log_stream) -> None:
    logging.getLogger("tenantry.test").info("hello %s", "world")

    (record,) = records(log_stream)
    assert record["message"] == "hello world"
    assert record["level"] == "INFO"
    assert record["logger"] == "tenantry.test"
    assert record["service"] == "unit-test"
    assert record["request_id"] is None
    assert record["tenant"] is None
    assert record["trace_id"] is None


def test_request_id_tenant_and_trace_id_come_from_the_current_context(log_stream) -> None:
    tracer = TracerProvider().get_tracer("test")

    with bound_request_id("req-1"), bound_tenant("acme"), tracer.start_as_current_span("work") as span:
        logging.getLogger("tenantry.test").warning("inside", extra={"order": 7})
        expected_trace = format(span.get_span_context().trace_id, "032x")

    (record,) = records(log_stream)
    assert record["request_id"] == "req-1"
    assert record["tenant"] == "acme"
    assert record["trace_id"] == expected_trace
    assert record["order"] == 7
    assert trace.get_current_span().get_span_context().is_valid is False


def test_exceptions_are_logged_on_one_line(log_stream) -> None:
    try:
        raise ValueError("broken")
    except ValueError:
        logging.getLogger("tenantry.test").exception("failed")

    (record,) = records(log_stream)
    assert "ValueError: broken" in record["exc_info"]


@pytest.mark.parametrize(
    ("candidate", "kept"),
    [
        ("abc-123", True),
        ("0af7651916cd43dd8448eb211c80319c", True),
        ("has space", False),
        ("line\nbreak", False),
        ("x" * 129, False),
        ("", False),
        (None, False),
    ],
)
def test_only_safe_request_ids_are_accepted(candidate, kept) -> None:
    accepted = accept_request_id(candidate)

    assert (accepted == candidate) is kept
    assert 1 <= len(accepted) <= 128


def test_extras_json_cannot_encode_are_written_as_text(log_stream) -> None:
    # kopf passes its settings (a dataclass holding a queue) with every per-object line.
    @dataclasses.dataclass
    class HoldsAQueue:
        pending: queue.SimpleQueue[int] = dataclasses.field(default_factory=queue.SimpleQueue)

    logging.getLogger("kopf.objects").info("handled", extra={"settings": HoldsAQueue(), "when": {1, 2}})

    (record,) = records(log_stream)
    assert record["message"] == "handled"
    assert record["settings"] == "<HoldsAQueue>"
    assert record["when"] == [1, 2]
