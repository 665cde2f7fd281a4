"""No secret reaches a log line: tokens, passwords, signed links, credential headers, a task's arguments and result."""

from __future__ import annotations

import io
import json
import logging
import logging.config
import os
import secrets
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from celery import Celery
from celery.worker.consumer.consumer import (  # type: ignore[attr-defined]  # celery-types omits these
    INVALID_TASK_ERROR,
    MESSAGE_DECODE_ERROR,
    UNKNOWN_FORMAT,
)

import tenantry_kernel.celery  # noqa: F401 - connects the receiver that keeps our logging in a worker, as in production
from tenantry_kernel.logging import REDACTED, logging_config
from tenantry_kernel.testing import delete_queue, wait_until
from tenantry_kernel.testing.workers import worker_on_queue

TOKEN = "cz9k1a-5f0c3b9e2d7a41c68e0f9b3d2a1c7e54"  # Django's shape: base36 timestamp, hash
LINK_TOKEN = "Gx7m2Pq9Rt_yZ-abcdEFGH1234567890abcdefghi"  # secrets.token_urlsafe(32)'s shape
JWT = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiI0MiIsImF1ZCI6InBvcnRhbCJ9.c2lnbmF0dXJlLW9mLXRoZS10b2tlbg"


@pytest.fixture
def log_stream() -> Iterator[io.StringIO]:
    """The kernel's logging configuration, every logger at DEBUG, written to a string."""
    stream = io.StringIO()
    config = logging_config("unit-test", level="DEBUG")
    config["handlers"]["stdout"] = {**config["handlers"]["stdout"], "stream": stream}
    config["loggers"] = {name: {**logger, "level": "DEBUG"} for name, logger in config["loggers"].items()}
    logging.config.dictConfig(config)
    yield stream
    logging.config.dictConfig({"version": 1, "disable_existing_loggers": False})


def records(stream: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        (
            f"mail to ann: https://shop.localhost/verify-email?uid=MQ&token={TOKEN}",
            f"mail to ann: https://shop.localhost/verify-email?uid={REDACTED}&token={REDACTED}",
        ),
        (
            f"Accept within 7 days: http://localhost:5173/invitations/{LINK_TOKEN}",
            f"Accept within 7 days: http://localhost:5173/invitations/{REDACTED}",
        ),
        (f"POST /reset/MQ/{TOKEN}/ 302", f"POST /reset/{REDACTED}/ 302"),
        (
            "GET https://bucket.s3.amazonaws.com/a.pdf?X-Amz-Credential=AKIA%2F20260101&X-Amz-Signature=9f86d081884c7d65",
            f"GET https://bucket.s3.amazonaws.com/a.pdf?X-Amz-Credential={REDACTED}&X-Amz-Signature={REDACTED}",
        ),
        (
            "callback /sso/platform/callback/?code=SplxlOBeZQQYbYS6WxSbIA&state=af0ifjsldkj",
            f"callback /sso/platform/callback/?code={REDACTED}&state=af0ifjsldkj",
        ),
        (f"Authorization: Bearer {JWT}", f"Authorization: {REDACTED}"),
        ("Cookie: sessionid=abc123def456; csrftoken=0f9b3d2a", f"Cookie: {REDACTED}"),
        (
            f"headers {{'HTTP_AUTHORIZATION': 'Bearer {JWT}', 'HTTP_HOST': 'shop.localhost'}}",
            f"headers {{'HTTP_AUTHORIZATION': '{REDACTED}', 'HTTP_HOST': 'shop.localhost'}}",
        ),
        (f"issued {JWT} to 42", f"issued {REDACTED} to 42"),
        (f"retrying with bearer {LINK_TOKEN}", f"retrying with bearer {REDACTED}"),
        ("sign-in as ann password=hunter2-horse", f"sign-in as ann password={REDACTED}"),
        (
            'payload {"email": "ann@example.test", "password": "hunter2"}',
            f'payload {{"email": "ann@example.test", "password": {REDACTED}}}',
        ),
        (
            "{'refresh_token': 'r3fr3sh-t0k3n', 'expires_in': 300}",
            f"{{'refresh_token': {REDACTED}, 'expires_in': 300}}",
        ),
        (
            "broker amqp://tenant_shop:s3cr3t-pw@127.0.0.1:5672/shop",
            f"broker amqp://tenant_shop:{REDACTED}@127.0.0.1:5672/shop",
        ),
    ],
)
def test_secrets_in_messages_are_redacted(log_stream: io.StringIO, written: str, expected: str) -> None:
    logging.getLogger("tenantry.test").info("%s", written)

    (record,) = records(log_stream)
    assert record["message"] == expected


@pytest.mark.parametrize(
    "ordinary",
    [
        "GET /api/v1/tenants/shop-1/invitations/12/ 200",
        "POST /api/v1/auth/password/reset/confirm/ 204",
        "POST /api/v1/auth/sign-in/ 200",
        "Task tenants.provision[0af76519-16cd-43dd-8448-eb211c80319c] received",
        "refresh token rotated for family 7; password changed; 3 sessions revoked",
        "tokens: 3, api keys rotated, ratio 3:4",
        "Authorization failed for user 12: no second factor",
        "https://docs.example.com/guide?page=2&sort=name#verify",
        "connected to amqp://127.0.0.1:5672// as guest",
        "invitation 12 mailed to sam@example.test (expires 2026-01-08T09:00:00+00:00)",
        "verification mail not sent: the account is gone or already verified",
        "error code link_invalid: This link is invalid or expired; ask for a new one.",
    ],
)
def test_ordinary_text_is_written_as_it_is_and_only_a_secret_beside_it_goes(
    log_stream: io.StringIO, ordinary: str
) -> None:
    link = f"https://shop.localhost/verify-email?uid=MQ&token={TOKEN}"

    logging.getLogger("tenantry.test").info("%s", ordinary)
    logging.getLogger("tenantry.test").info("%s (link: %s)", ordinary, link)

    alone, beside_a_link = records(log_stream)
    assert alone["message"] == ordinary
    assert (
        beside_a_link["message"]
        == f"{ordinary} (link: https://shop.localhost/verify-email?uid={REDACTED}&token={REDACTED})"
    )


def test_extras_lose_secrets_by_name_and_by_shape(log_stream: io.StringIO) -> None:
    logging.getLogger("tenantry.test").info(
        "signed in",
        extra={
            "user_id": 42,
            "access_token": JWT,
            "headers": {"Authorization": f"Bearer {JWT}", "Accept": "application/json"},
            "links": [f"https://shop.localhost/reset-password?uid=MQ&token={TOKEN}", "https://shop.localhost/"],
        },
    )

    (record,) = records(log_stream)
    assert record["user_id"] == 42
    assert record["access_token"] == REDACTED
    assert record["headers"] == {"Authorization": REDACTED, "Accept": "application/json"}
    assert record["links"] == [
        f"https://shop.localhost/reset-password?uid={REDACTED}&token={REDACTED}",
        "https://shop.localhost/",
    ]


def test_a_celery_task_context_loses_its_arguments_and_result(log_stream: io.StringIO) -> None:
    # Celery passes its context both as the message's arguments and as the extra `data`.
    context = {"id": "7d1c", "name": "send_mail", "args": "('ann@example.test', 'secret body')", "kwargs": "{}",
               "return_value": "'secret result'", "runtime": 0.01}  # fmt: skip

    logging.getLogger("celery.app.trace").info(
        "Task %(name)s[%(id)s] succeeded in %(runtime)ss: %(return_value)s", context, extra={"data": context}
    )

    (record,) = records(log_stream)
    assert record["message"] == f"Task send_mail[7d1c] succeeded in 0.01s: {REDACTED}"
    assert record["data"] == {**context, "args": REDACTED, "kwargs": REDACTED, "return_value": REDACTED}
    assert context["return_value"] == "'secret result'"  # the caller's mapping is not changed


@pytest.mark.parametrize(
    ("template", "args"),
    [
        (INVALID_TASK_ERROR, ("KeyError('id')", "{'to': 'ann@example.test', 'code': 'one-time'} (64b)")),
        (MESSAGE_DECODE_ERROR, ("JSONDecodeError", "'application/json'", "'utf-8'", "{}", 'b\'{"code": "one-time"')),
        (UNKNOWN_FORMAT, ("body: {'code': 'one-time'}",)),
    ],
)
def test_celery_lines_that_dump_a_task_message_are_written_without_it(
    log_stream: io.StringIO, template: str, args: tuple[str, ...]
) -> None:
    logging.getLogger("celery.worker.consumer.consumer").error(template, *args)

    (record,) = records(log_stream)
    assert "one-time" not in record["message"]
    assert REDACTED in record["message"]


def test_tracebacks_and_logged_objects_lose_their_secrets(log_stream: io.StringIO) -> None:
    class Request:  # what Django's request logger passes: its text is the path and query string
        def __str__(self) -> str:
            return f"<ASGIRequest: GET '/verify-email?uid=MQ&token={TOKEN}'>"

    try:
        raise ValueError(f"no such invitation: http://localhost:5173/invitations/{LINK_TOKEN}")
    except ValueError:
        logging.getLogger("django.request").exception("Bad Request", extra={"request": Request()})

    (record,) = records(log_stream)
    assert "ValueError: no such invitation: http://localhost:5173/invitations/[redacted]" in record["exc_info"]
    assert record["request"] == f"<ASGIRequest: GET '/verify-email?uid={REDACTED}&token={REDACTED}'>"
    assert LINK_TOKEN not in json.dumps(record)
    assert TOKEN not in json.dumps(record)


# -- a real worker ---------------------------------------------------------------------------------------------


@pytest.fixture
def celery_app() -> Celery:
    broker = os.environ.get("BROKER_URL", "amqp://guest:guest@127.0.0.1:5672//")
    return Celery(f"log-redaction-{secrets.token_hex(3)}", broker=broker, set_as_current=False)


def test_a_real_worker_never_logs_a_tasks_arguments_or_result(log_stream: io.StringIO, celery_app: Celery) -> None:
    # Given a worker of the real broker whose tasks are called with, and return, a one-time link,
    secret = secrets.token_urlsafe(24)
    link = f"https://shop.localhost/verify-email?uid=MQ&token={secret}"
    queue = f"log-redaction-{secrets.token_hex(4)}"
    first_attempt = threading.Event()

    @celery_app.task(name="test.mail_link", autoretry_for=(ConnectionError,), max_retries=1, default_retry_delay=0)
    def mail_link(to: str, body: str, *, code: str) -> str:
        if not first_attempt.is_set():
            first_attempt.set()
            raise ConnectionError("the SMTP server hung up")
        return body

    @celery_app.task(name="test.mail_link_fails")
    def mail_link_fails(to: str, body: str) -> None:
        raise RuntimeError("rendering failed")

    try:
        with worker_on_queue(celery_app, queue):
            # when one task retries then succeeds, another fails, and one is unknown to the worker,
            mail_link.apply_async(("ann@example.test", link), {"code": secret}, queue=queue)
            mail_link_fails.apply_async(("ann@example.test", link), queue=queue)
            celery_app.send_task("test.mail_link_renamed", ("ann@example.test", link), {"code": secret}, queue=queue)
            wait_until(
                lambda: all(
                    event in log_stream.getvalue() for event in ("succeeded", "raised unexpected", "unregistered")
                ),
                what="all three tasks handled",
            )
    finally:
        delete_queue(celery_app, queue)

    # then Celery's lines about them are written, without the link, its token or the result.
    lines = records(log_stream)
    celery_lines = [line["message"] for line in lines if line["logger"].startswith("celery")]
    for event in ("test.mail_link[", "received", "TaskPool: Apply", "retry", "succeeded", "raised unexpected",
                  "unregistered task of type 'test.mail_link_renamed'"):  # fmt: skip
        assert any(event in message for message in celery_lines), (event, celery_lines)
    assert secret not in log_stream.getvalue()
