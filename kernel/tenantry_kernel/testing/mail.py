"""A real SMTP server on loopback (aiosmtpd) that keeps what it receives, for tests of outgoing mail."""

from __future__ import annotations

import email
import email.policy
import re
import secrets
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller

from tenantry_kernel.testing import free_port
from tenantry_kernel.testing.workers import worker_on_queue


class MailSink:
    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self._arrived = threading.Condition()
        self.port = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        with self._arrived:
            self.messages.append(message)
            self._arrived.notify_all()
        return "250 Message accepted for delivery"

    def wait_for(self, to: str, timeout: float = 20.0, count: int = 1) -> list[EmailMessage]:
        """The first `count` messages to `to`, waiting for them to arrive."""

        def received() -> list[EmailMessage]:
            return [m for m in self.messages if to.lower() in str(m["To"]).lower()]

        with self._arrived:
            if not self._arrived.wait_for(lambda: len(received()) >= count, timeout=timeout):
                raise TimeoutError(f"{count} message(s) to {to} did not arrive within {timeout}s; got {received()}")
            return received()[:count]

    def sent_to(self, to: str) -> list[EmailMessage]:
        with self._arrived:
            return [m for m in self.messages if to.lower() in str(m["To"]).lower()]


def link_in(message: EmailMessage) -> str:
    """The one http(s) link of a plain-text email."""
    body = message.get_body(preferencelist=("plain",))
    assert body is not None
    links = re.findall(r"https?://\S+", body.get_content())
    assert len(links) == 1, links
    return str(links[0])


@contextmanager
def smtp_sink() -> Iterator[MailSink]:
    sink = MailSink()
    sink.port = free_port()  # aiosmtpd cannot bind port 0
    controller = Controller(sink, hostname="127.0.0.1", port=sink.port)
    controller.start()
    try:
        yield sink
    finally:
        controller.stop()


@contextmanager
def mail_through_celery(celery_app: Any) -> Iterator[MailSink]:
    """Outgoing mail through a real Celery worker (RabbitMQ, a private queue) to an SMTP sink on loopback.

    The worker runs in this process on threads; tasks enqueued by the code under test go to the
    private queue, so no other worker on the broker takes them. Use one per test module: starting
    and stopping a worker takes seconds.
    """
    from django.test import override_settings

    from tenantry_kernel.testing import delete_queue

    queue = f"mail-test-{secrets.token_hex(4)}"
    previous_queue = celery_app.conf.task_default_queue
    with smtp_sink() as sink:
        smtp = {"EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend", "EMAIL_PORT": sink.port}
        celery_app.conf.task_default_queue = queue
        try:
            with (
                override_settings(EMAIL_HOST="127.0.0.1", **smtp),
                worker_on_queue(celery_app, queue),
            ):
                yield sink
        finally:
            celery_app.conf.task_default_queue = previous_queue
            delete_queue(celery_app, queue)
