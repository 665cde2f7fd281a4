"""One-time links of account emails (verify the address, reset the password, accept an invitation).

Links carry a uid and a token from Django's HMAC token generator: nothing is stored, a token expires after
PASSWORD_RESET_TIMEOUT and dies as soon as what it hashes changes (the password, the last sign-in, the
verification). The hash also covers the tenant (if any), so a link never works on another store whose user
happens to have the same id.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.utils.crypto import constant_time_compare
from django.utils.encoding import force_bytes, force_str
from django.utils.http import base36_to_int, urlsafe_base64_decode, urlsafe_base64_encode

from tenantry_kernel.context import current_tenant


class LinkTokens(PasswordResetTokenGenerator):
    """Tokens bound to the current tenant, which can also tell an expired link from a spent one."""

    def _make_hash_value(self, user: Any, timestamp: int) -> str:
        return f"{current_tenant() or '-'}:{super()._make_hash_value(user, timestamp)}"

    def expired(self, user: Any, token: str) -> bool:
        """Whether `token` is genuine for `user` as they are now but older than PASSWORD_RESET_TIMEOUT: the link
        would have worked in time. False for a spent link (what it hashes changed) and a made-up one, which the
        caller cannot tell apart; the age alone tells nothing the link does not carry in clear (its timestamp).
        Django's check_token answers only yes or no; this repeats its hash check (the same private helper it uses)
        without the age limit."""
        try:
            issued = base36_to_int(token.split("-")[0])
        except ValueError:
            return False
        genuine = any(
            constant_time_compare(self._make_token_with_timestamp(user, issued, secret), token)
            for secret in [self.secret, *self.secret_fallbacks]
        )
        return genuine and self._num_seconds(self._now()) - issued > settings.PASSWORD_RESET_TIMEOUT


class PasswordTokens(LinkTokens):
    key_salt = "tenantry.accounts.password"


class EmailVerificationTokens(LinkTokens):
    key_salt = "tenantry.accounts.email-verification"

    def _make_hash_value(self, user: Any, timestamp: int) -> str:
        return f"{super()._make_hash_value(user, timestamp)}:{user.email_verified_at}"


password_tokens = PasswordTokens()
verification_tokens = EmailVerificationTokens()


def user_of_uid(uid: str) -> Any:
    """The user a link's uid names, or None (not a uid, or no such user)."""
    user_model = get_user_model()
    try:
        return user_model.objects.get(pk=int(force_str(urlsafe_base64_decode(uid))))
    except (ValueError, TypeError, OverflowError, user_model.DoesNotExist):
        return None


def link_for(origin: str, path: str, user: Any, tokens: LinkTokens) -> str:
    query = urlencode({"uid": urlsafe_base64_encode(force_bytes(user.pk)), "token": tokens.make_token(user)})
    return f"{origin}{path}?{query}"
