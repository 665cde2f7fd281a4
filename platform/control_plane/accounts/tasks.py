"""Mail of portal accounts, rendered and sent by the worker from ids (tenantry_kernel.mail)."""

from __future__ import annotations

from celery import shared_task

from control_plane.accounts import emails
from tenantry_kernel.identity.config import AccountMail
from tenantry_kernel.mail import MAIL_TASK_OPTIONS, send


@shared_task(name="accounts.send_account_email", **MAIL_TASK_OPTIONS)
def send_account_email(mail: str, user_id: int, origin: str) -> None:
    """Mail the user the account mail `mail` (an AccountMail) with a link made now; nothing if no longer due."""
    if (email := emails.account_email(AccountMail(mail), user_id, origin)) is not None:
        send(email)
