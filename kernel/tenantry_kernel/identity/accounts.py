"""Account self-service: confirm the address or reset the password through an emailed link, change the password,
the profile. Links are the kernel's (tenantry_kernel.identity.links); the project sends the mails (Identity.mail).
"""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from rest_framework.exceptions import ErrorDetail, ValidationError

from tenantry_kernel.identity.config import AccountMail, Identity, SecurityEvent
from tenantry_kernel.identity.links import LinkTokens, password_tokens, user_of_uid, verification_tokens
from tenantry_kernel.identity.models import normalize_email
from tenantry_kernel.identity.sessions import revoke_sessions


def check_new_password(password: str, user: Any = None, *, field: str = "password") -> None:
    """Django's password validators, as a field error (code password_weak) of the request's `field`."""
    try:
        validate_password(password, user)
    except DjangoValidationError as exc:
        raise ValidationError({field: [ErrorDetail(str(m), code="password_weak") for m in exc.messages]}) from exc


def _link_refused(user: Any, token: str, tokens: LinkTokens) -> ValidationError:
    """`link_expired` for a genuine link past its lifetime, `link_invalid` for one that was used (what it hashes has
    changed since) or never was valid: the page it leads to says which, and offers a new link either way."""
    if user is not None and user.is_active and tokens.expired(user, token):
        return ValidationError({"token": [ErrorDetail("This link has expired; ask for a new one.", "link_expired")]})
    return ValidationError(
        {"token": [ErrorDetail("This link was already used or is not valid; ask for a new one.", "link_invalid")]}
    )


def _user_of_link(uid: str, token: str, tokens: LinkTokens) -> Any:
    """The link's user, locked for this transaction and checked under the lock, so of two requests with one link
    only the first gets through (the second finds it spent)."""
    user = user_of_uid(uid)
    if user is not None:
        user = get_user_model()._default_manager.select_for_update().get(pk=user.pk)
    if user is None or not user.is_active or not tokens.check_token(user, token):
        raise _link_refused(user, token, tokens)
    return user


def request_email_verification(identity: Identity, request: HttpRequest, user: Any) -> None:
    """Mail the user a new link that confirms their address, unless it is confirmed already."""
    if user.is_active and user.email_verified_at is None:
        with transaction.atomic():
            identity.audit(request, SecurityEvent.EMAIL_VERIFICATION_REQUESTED, actor=user)
            identity.mail(request, AccountMail.VERIFY_EMAIL, user)


def request_email_verification_by_address(identity: Identity, request: HttpRequest, email: str) -> None:
    """The same for whoever names an address (they cannot sign in, or lost the mail): nothing happens unless it has
    an unverified account, and the caller cannot tell (the answer is the same either way)."""
    user = (
        get_user_model()
        ._default_manager.filter(email=normalize_email(email), is_active=True, email_verified_at__isnull=True)
        .first()
    )
    if user is not None:
        request_email_verification(identity, request, user)


def verify_email(identity: Identity, request: HttpRequest, *, uid: str, token: str) -> Any:
    """Confirm the address of the link's user; the link dies with it (its hash covers the verification)."""
    with transaction.atomic():
        user = _user_of_link(uid, token, verification_tokens)
        user.email_verified_at = timezone.now()
        user.save(update_fields=["email_verified_at"])
        identity.audit(request, SecurityEvent.EMAIL_VERIFIED, actor=user)
    return user


def request_password_reset(identity: Identity, request: HttpRequest, *, email: str) -> None:
    """Mail a reset link if the address has an active account; the answer is the same either way (no enumeration)."""
    user = get_user_model()._default_manager.filter(email=normalize_email(email), is_active=True).first()
    with transaction.atomic():
        identity.audit(request, SecurityEvent.PASSWORD_RESET_REQUESTED, actor=user, subject=email)
        if user is not None:
            identity.mail(request, AccountMail.RESET_PASSWORD, user)


def reset_password(identity: Identity, request: HttpRequest, *, uid: str, token: str, password: str) -> Any:
    """A new password from an emailed link (a reset, or an invitation to choose one); every session is signed out.

    The link dies with the old password: its hash covers the password.
    """
    with transaction.atomic():
        user = _user_of_link(uid, token, password_tokens)
        check_new_password(password, user)
        user.set_password(password)
        # Following the link proved the address is theirs.
        user.email_verified_at = user.email_verified_at or timezone.now()
        user.save(update_fields=["password", "email_verified_at"])
        revoked = revoke_sessions(identity, user, reason="password_reset")
        identity.audit(request, SecurityEvent.PASSWORD_RESET, actor=user, sessions_revoked=revoked)
    return user


def change_password(
    identity: Identity, request: HttpRequest, user: Any, *, current: str, new: str, session: uuid.UUID | None
) -> None:
    """A new password for a signed-in user who knows the current one; every other session is signed out, `session`
    (the one asking) stays."""
    if not user.check_password(current):
        raise ValidationError({"current_password": [ErrorDetail("The current password is wrong.", "wrong_password")]})
    check_new_password(new, user, field="new_password")
    with transaction.atomic():
        user.set_password(new)
        user.save(update_fields=["password"])
        revoked = revoke_sessions(identity, user, reason="password_changed", keep=session)
        identity.audit(request, SecurityEvent.PASSWORD_CHANGED, actor=user, sessions_revoked=revoked)


def update_profile(user: Any, *, full_name: str) -> Any:
    """The user's own name (the only part of the profile they change themselves; the address needs a link)."""
    if user.full_name != full_name:
        user.full_name = full_name
        user.save(update_fields=["full_name"])
    return user
