"""Account mail, rendered and sent by the worker as the tenant that enqueued it (tenantry_kernel.mail)."""

from __future__ import annotations

from celery import shared_task

from tenant_app.accounts.emails import AccountMail, account_email
from tenantry_kernel.mail import MAIL_TASK_OPTIONS, send


@shared_task(name="tenantry.accounts.send_account_email", **MAIL_TASK_OPTIONS)
def send_account_email(mail: str, user_id: int, origin: str, invited_by_id: int | None = None) -> None:
    """Mail the user the account mail `mail` (an AccountMail) with a link made now; nothing if no longer due."""
    if (email := account_email(AccountMail(mail), user_id, origin, invited_by_id)) is not None:
        send(email)
