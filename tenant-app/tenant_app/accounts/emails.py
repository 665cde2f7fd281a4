"""The account emails (verify address, reset password, invitation and its reminder), rendered by the worker.

Actions and the identity API (through `identity.mail`) enqueue which mail, whose (a user id) and the store's origin
(`tasks.send_account_email`); the worker, running as the tenant, makes the one-time link when it renders the mail,
so no link passes through the broker or a log line. The links and their tokens are the kernel's
(tenantry_kernel.identity.links): nothing is stored, and a link never works on another store whose user happens to
have the same id.
"""

from __future__ import annotations

import enum
import logging
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext, gettext_noop

from tenant_app.accounts.models import User
from tenantry_kernel.identity.links import LinkTokens, link_for, password_tokens, verification_tokens
from tenantry_kernel.mail import Email

logger = logging.getLogger("tenantry.accounts.emails")


class AccountMail(enum.StrEnum):
    VERIFY_EMAIL = "verify_email"
    RESET_PASSWORD = "reset_password"  # noqa: S105 - the mail's name
    INVITATION = "invitation"
    INVITATION_REMINDER = "invitation_reminder"


@dataclass(frozen=True)
class _Kind:
    subject: str  # marked for translation; translated when the mail is rendered, in the user's language
    link_path: str  # a key of ACCOUNTS_LINK_PATHS
    tokens: LinkTokens


_KINDS = {
    AccountMail.VERIFY_EMAIL: _Kind(gettext_noop("Confirm your email address"), "verify_email", verification_tokens),
    AccountMail.RESET_PASSWORD: _Kind(gettext_noop("Reset your password"), "reset_password", password_tokens),
    AccountMail.INVITATION: _Kind(gettext_noop("You are invited"), "accept_invitation", password_tokens),
    AccountMail.INVITATION_REMINDER: _Kind(
        gettext_noop("Your invitation is waiting"), "accept_invitation", password_tokens
    ),
}


def origin_of(request: HttpRequest) -> str:
    """The store's origin as the person reached it: links lead back to the same host."""
    return f"{request.scheme}://{request.get_host()}"


def _still_due(mail: AccountMail, user: User) -> bool:
    """Whether the mail still makes sense when the worker gets to it (the user may have acted in between)."""
    if not user.is_active:
        return False
    if mail is AccountMail.VERIFY_EMAIL:
        return not user.email_verified
    if mail in (AccountMail.INVITATION, AccountMail.INVITATION_REMINDER):
        return not user.has_usable_password()  # choosing a password is accepting
    return True


def account_email(mail: AccountMail, user_id: int, origin: str, invited_by_id: int | None = None) -> Email | None:
    """The mail with a fresh one-time link, as the current tenant; None when it is no longer due."""
    user = User.objects.filter(pk=user_id).first()
    if user is None or not _still_due(mail, user):
        logger.info("account mail no longer due, not sent", extra={"mail": mail.value, "user_id": user_id})
        return None
    kind = _KINDS[mail]
    context: dict[str, Any] = {
        "user": user,
        "store": origin.partition("://")[2].split(":")[0],
        "link": link_for(origin, settings.ACCOUNTS_LINK_PATHS[kind.link_path], user, kind.tokens),
    }
    if mail is AccountMail.INVITATION and invited_by_id is not None:
        context["invited_by"] = User.objects.filter(pk=invited_by_id).first()
    # In the user's language (chosen when they signed up), else the store's default; the worker has no request.
    with translation.override(user.language or settings.LANGUAGE_CODE):
        text = render_to_string(f"accounts/email/{mail.value}.txt", context)
        subject = gettext(kind.subject)
    return Email(to=user.email, subject=subject, text=text)
