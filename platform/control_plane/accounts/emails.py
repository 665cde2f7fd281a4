"""The portal's account emails and the one-time links in them (tenantry_kernel.identity.links), rendered by the worker.

The identity API asks for a mail (`identity.mail`); this enqueues which mail and whose (`tasks.send_account_email`: a
user id and the portal's origin), and the worker makes the link when it renders the mail, so the link never passes
through the broker or a log line.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.template.loader import render_to_string

from control_plane.accounts.models import User
from tenantry_kernel.identity.config import AccountMail
from tenantry_kernel.identity.links import LinkTokens, link_for, password_tokens, verification_tokens
from tenantry_kernel.mail import Email

logger = logging.getLogger("tenantry.accounts.emails")


@dataclass(frozen=True)
class _Kind:
    subject: str
    link_path: str  # a key of ACCOUNTS_LINK_PATHS
    tokens: LinkTokens


_KINDS = {
    AccountMail.VERIFY_EMAIL: _Kind("Confirm your email address", "verify_email", verification_tokens),
    AccountMail.RESET_PASSWORD: _Kind("Reset your password", "reset_password", password_tokens),
}


def portal_origin(request: HttpRequest | None) -> str:
    """Where links lead: PORTAL_URL when set, else the origin the person reached the API at."""
    if settings.PORTAL_URL:
        return str(settings.PORTAL_URL).rstrip("/")
    if request is not None:
        return f"{request.scheme}://{request.get_host()}"
    return "http://localhost"


def _still_due(mail: AccountMail, user: User) -> bool:
    """Whether the mail still makes sense when the worker gets to it (the user may have acted in between)."""
    if mail is AccountMail.VERIFY_EMAIL:
        return user.email_verified_at is None
    return True


def account_email(mail: AccountMail, user_id: int, origin: str) -> Email | None:
    """The mail with a fresh one-time link to `origin`, or None when it is no longer due."""
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None or not _still_due(mail, user):
        logger.info("account mail no longer due, not sent", extra={"mail": mail.value, "user_id": user_id})
        return None
    kind = _KINDS[mail]
    context: dict[str, Any] = {
        "user": user,
        "link": link_for(origin, settings.ACCOUNTS_LINK_PATHS[kind.link_path], user, kind.tokens),
    }
    text = render_to_string(f"accounts/email/{mail.value}.txt", context)
    return Email(to=user.email, subject=kind.subject, text=text)
