"""One-time links of account emails (verify the address, reset the password, accept an invitation).

Links carry a uid and a token from Django's HMAC token generator: nothing is stored, a token expires after
PASSWORD_RESET_TIMEOUT and dies as soon as what it hashes changes (the password, the last sign-in, the
verification). The hash also covers the tenant (if any), so a link never works on another store whose user
happens to have the same id.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.utils.encoding import force_bytes, force_str
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode

from tenantry_kernel.context import current_tenant


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


def user_from_link(uid: str, token: str, tokens: PasswordResetTokenGenerator) -> Any:
    """The user a (uid, token) pair of a link belongs to, or None when it is invalid or spent."""
    user_model = get_user_model()
    try:
        user = user_model.objects.get(pk=int(force_str(urlsafe_base64_decode(uid))))
    except (ValueError, TypeError, OverflowError, user_model.DoesNotExist):
        return None
    return user if tokens.check_token(user, token) else None


def link_for(origin: str, path: str, user: Any, tokens: PasswordResetTokenGenerator) -> str:
    query = urlencode({"uid": urlsafe_base64_encode(force_bytes(user.pk)), "token": tokens.make_token(user)})
    return f"{origin}{path}?{query}"
