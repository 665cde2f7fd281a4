"""Outgoing email, rendered and sent by a Celery worker: the message on the broker names the mail, never carries it.

SMTP is slow and sometimes down, so no request waits on it: an action enqueues a task once its
transaction commits (a rolled-back transaction sends nothing), and the worker retries with backoff
until the server takes the mail. The task carries ids and which mail it is (a user id and
"verify_email", an invitation id), never the text or its link: a one-time link on the broker
would sit in queues, dead-letter copies, task events and every worker's log line about the task.
The worker reads what it needs, makes the one-time link then, renders and sends (`send`).
Each project's mail tasks live in its apps' `tasks.py` and use `MAIL_TASK_OPTIONS`.
"""

from __future__ import annotations

import smtplib
from dataclasses import dataclass
from typing import Any

from django.core.mail import EmailMultiAlternatives

from tenantry_kernel.celery import transient_retries


@dataclass(frozen=True)
class Email:
    to: str
    subject: str
    text: str
    html: str = ""


# Options of every task that sends mail: retried for as long as an SMTP outage may last (about an hour
# in all), acknowledged only once sent. A retry renders the mail again, with a fresh link.
MAIL_TASK_OPTIONS: dict[str, Any] = {
    **transient_retries(smtplib.SMTPException, OSError, max_retries=12, backoff=5, backoff_max=600),
    "acks_late": True,
}


def send(email: Email) -> None:
    """Hand `email` to the SMTP server now (in a worker; requests enqueue a task instead)."""
    message = EmailMultiAlternatives(subject=email.subject, body=email.text, to=[email.to])
    if email.html:
        message.attach_alternative(email.html, "text/html")
    message.send()
