"""Outgoing email: rendered where it is decided, sent by a Celery worker once the transaction commits.

SMTP is slow and sometimes down, so no request waits on it: the message goes to the
broker after commit (a rolled-back transaction sends nothing) and the worker retries
with backoff until the server takes it.
"""

from __future__ import annotations

import smtplib
from dataclasses import dataclass

from celery import shared_task
from django.core.mail import EmailMultiAlternatives

from tenantry_kernel.celery import enqueue_on_commit, transient_retries


@dataclass(frozen=True)
class Email:
    to: str
    subject: str
    text: str
    html: str = ""


def send_after_commit(email: Email) -> None:
    enqueue_on_commit(deliver, email.to, email.subject, email.text, email.html)


@shared_task(
    name="tenantry.mail.deliver",
    **transient_retries(smtplib.SMTPException, OSError, max_retries=12, backoff=5, backoff_max=600),
    acks_late=True,
)
def deliver(to: str, subject: str, text: str, html: str = "") -> None:
    message = EmailMultiAlternatives(subject=subject, body=text, to=[to])
    if html:
        message.attach_alternative(html, "text/html")
    message.send()
