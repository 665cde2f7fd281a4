"""Mail of portal accounts, rendered and sent by the worker from ids (tenantry_kernel.mail)."""

from __future__ import annotations

from celery import shared_task

from control_plane.accounts import emails
from tenantry_kernel.mail import MAIL_TASK_OPTIONS, send


@shared_task(name="accounts.send_verification_email", **MAIL_TASK_OPTIONS)
def send_verification_email(user_id: int, origin: str) -> None:
    """Mail the user a link that confirms their address (none if it is confirmed by now)."""
    if (email := emails.verification_email(user_id, origin)) is not None:
        send(email)
