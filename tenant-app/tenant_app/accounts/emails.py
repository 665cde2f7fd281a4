"""The account emails (verify address, reset password, invitation) and the one-time links in them.

Links carry a uid and a token from Django's HMAC token generator: nothing is stored,
a token expires after PASSWORD_RESET_TIMEOUT and dies as soon as what it hashes changes
(the password, the last sign-in, the verification). The hash also covers the tenant, so
a link never works on another store whose user happens to have the same id.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.encoding import force_bytes, force_str
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode

from tenant_app.accounts.models import User
from tenantry_kernel.context import current_tenant
from tenantry_kernel.mail import Email, send_after_commit


class _TenantBoundTokens(PasswordResetTokenGenerator):
    def _make_hash_value(self, user: Any, timestamp: int) -> str:
        return f"{current_tenant() or '-'}:{super()._make_hash_value(user, timestamp)}"


class PasswordTokens(_TenantBoundTokens):
    key_salt = "tenantry.accounts.password"


class EmailVerificationTokens(_TenantBoundTokens):
    key_salt = "tenantry.accounts.email-verification"

    def _make_hash_value(self, user: Any, timestamp: int) -> str:
        return f"{super()._make_hash_value(user, timestamp)}:{user.email_verified_at}"


password_tokens = PasswordTokens()
verification_tokens = EmailVerificationTokens()


def user_from_link(uid: str, token: str, tokens: PasswordResetTokenGenerator) -> User | None:
    """The user a (uid, token) pair of a link belongs to, or None when it is invalid or spent."""
    try:
        user = User.objects.get(pk=int(force_str(urlsafe_base64_decode(uid))))
    except (ValueError, TypeError, OverflowError, User.DoesNotExist):
        return None
    return user if tokens.check_token(user, token) else None


def _origin(request: HttpRequest) -> str:
    """The store's origin as the person reached it: links lead back to the same host."""
    return f"{request.scheme}://{request.get_host()}"


def _link(origin: str, path: str, user: User, tokens: PasswordResetTokenGenerator) -> str:
    query = urlencode({"uid": urlsafe_base64_encode(force_bytes(user.pk)), "token": tokens.make_token(user)})
    return f"{origin}{path}?{query}"


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
