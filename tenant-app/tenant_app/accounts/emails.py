"""The account emails (verify address, reset password, invitation) and the one-time links in them.

The links and their tokens are the kernel's (tenantry_kernel.identity.links): nothing is stored, and a link never
works on another store whose user happens to have the same id.
"""

from __future__ import annotations

from typing import Any, cast

from django.conf import settings
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.http import HttpRequest
from django.template.loader import render_to_string

from tenant_app.accounts.models import User
from tenantry_kernel.identity import links
from tenantry_kernel.identity.links import link_for, password_tokens, verification_tokens
from tenantry_kernel.mail import Email, send_after_commit

__all__ = ["password_tokens", "verification_tokens"]


def user_from_link(uid: str, token: str, tokens: PasswordResetTokenGenerator) -> User | None:
    """The user a (uid, token) pair of a link belongs to, or None when it is invalid or spent."""
    return cast(User | None, links.user_from_link(uid, token, tokens))


def _origin(request: HttpRequest) -> str:
    """The store's origin as the person reached it: links lead back to the same host."""
    return f"{request.scheme}://{request.get_host()}"


def _link(origin: str, path: str, user: User, tokens: PasswordResetTokenGenerator) -> str:
    return link_for(origin, path, user, tokens)


def _send(origin: str, user: User, template: str, subject: str, **context: Any) -> None:
    context = {"user": user, "store": origin.partition("://")[2].split(":")[0], **context}
    send_after_commit(
        Email(to=user.email, subject=subject, text=render_to_string(f"accounts/email/{template}.txt", context))
    )


def send_verification(request: HttpRequest, user: User) -> None:
    origin = _origin(request)
    link = _link(origin, settings.ACCOUNTS_LINK_PATHS["verify_email"], user, verification_tokens)
    _send(origin, user, "verify_email", "Confirm your email address", link=link)


def send_password_reset(request: HttpRequest, user: User) -> None:
    origin = _origin(request)
    link = _link(origin, settings.ACCOUNTS_LINK_PATHS["reset_password"], user, password_tokens)
    _send(origin, user, "reset_password", "Reset your password", link=link)


def send_invitation(request: HttpRequest, user: User, invited_by: User) -> None:
    origin = _origin(request)
    link = _link(origin, settings.ACCOUNTS_LINK_PATHS["accept_invitation"], user, password_tokens)
    _send(origin, user, "invitation", "You are invited", link=link, invited_by=invited_by)


def send_invitation_reminder(origin: str, user: User) -> None:
    """The invitation again, with a fresh link, from work that has no request (a scheduled task)."""
    link = _link(origin, settings.ACCOUNTS_LINK_PATHS["accept_invitation"], user, password_tokens)
    _send(origin, user, "invitation_reminder", "Your invitation is waiting", link=link)
