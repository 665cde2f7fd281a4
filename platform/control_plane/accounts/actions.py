"""Every state change of portal accounts: sign-up, email verification, sign-in and sessions, two-factor.

The mechanics are the kernel's (tenantry_kernel.identity), bound here to the portal's models, to tokens of the
audience "portal" and to the control plane's audit log.
"""

from __future__ import annotations

import uuid
from typing import cast

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone
from rest_framework.exceptions import ErrorDetail, ValidationError

from control_plane.accounts import emails, tasks
from control_plane.accounts.identity import identity, record_account_event
from control_plane.accounts.models import RefreshFamily, User, normalize_email
from tenantry_kernel.celery import enqueue_on_commit
from tenantry_kernel.identity import sessions, signin, twofactor
from tenantry_kernel.identity.config import SecurityEvent
from tenantry_kernel.identity.links import user_from_link, verification_tokens
from tenantry_kernel.identity.signin import SignInResult
from tenantry_kernel.identity.tokens import TokenPair
from tenantry_kernel.identity.twofactor import EnrolledSignIn, TotpEnrolment


def _email_taken() -> ValidationError:
    return ValidationError(
        {"email": [ErrorDetail("This email already has an account; sign in or reset the password.", "email_taken")]}
    )


def create_user(*, email: str, password: str, full_name: str = "", request: HttpRequest | None = None) -> User:
    """A portal account; its address is confirmed through the link mailed once the transaction commits.

    Raises ValidationError per field: "email" with code email_taken, "password" with Django's validators'
    messages (code password_weak).
    """
    email = normalize_email(email)
    try:
        validate_password(password, User(email=email, full_name=full_name))
    except DjangoValidationError as exc:
        raise ValidationError({"password": [ErrorDetail(str(m), code="password_weak") for m in exc.messages]}) from exc
    with transaction.atomic():
        try:
            # The unique index decides, not a look-up first: two sign-ups of one address race safely.
            with transaction.atomic():
                user = User.objects.create_user(email, password, full_name=full_name)
        except IntegrityError as exc:
            raise _email_taken() from exc
        record_account_event(request, "user_registered", actor=user)
        _mail_verification(request, user)
    return user


def _mail_verification(request: HttpRequest | None, user: User) -> None:
    # Only the user and where the link leads go to the broker: the worker makes the link (accounts.emails).
    enqueue_on_commit(tasks.send_verification_email, user.pk, emails.portal_origin(request))


def request_email_verification(request: HttpRequest, *, email: str) -> None:
    """Mail a new verification link if the address has an unverified account; the same answer either way."""
    user = User.objects.filter(email=normalize_email(email), is_active=True, email_verified_at__isnull=True).first()
    if user is not None:
        with transaction.atomic():
            record_account_event(request, "verification_requested", actor=user)
            _mail_verification(request, user)


def verify_email(request: HttpRequest, *, uid: str, token: str) -> User:
    """Confirm the address of the link's user; the link dies with it (its hash covers the verification)."""
    with transaction.atomic():
        user = cast(User | None, user_from_link(uid, token, verification_tokens))
        if user is None:
            raise ValidationError(
                {"token": [ErrorDetail("This link is invalid or expired; ask for a new one.", "link_invalid")]}
            )
        user = User.objects.select_for_update().get(pk=user.pk)
        if not verification_tokens.check_token(user, token):  # another request used it in between
            raise ValidationError(
                {"token": [ErrorDetail("This link is invalid or expired; ask for a new one.", "link_invalid")]}
            )
        user.email_verified_at = timezone.now()
        user.save(update_fields=["email_verified_at"])
        record_account_event(request, SecurityEvent.EMAIL_VERIFIED, actor=user)
    return user


def sign_in(request: HttpRequest, *, email: str, password: str) -> SignInResult:
    """Password sign-in: tokens, or a second-factor challenge (staff must enrol one before their first session)."""
    return signin.sign_in(identity, request, email, password)


def start_session(request: HttpRequest, user: User, *, method: str) -> TokenPair:
    return sessions.start_session(identity, request, user, method=method)


def rotate(request: HttpRequest, *, refresh: str) -> TokenPair:
    """A new pair for a refresh token used once; a second use revokes its whole session."""
    return sessions.rotate(identity, request, refresh)


def sign_out(request: HttpRequest, *, refresh: str) -> None:
    sessions.sign_out(identity, request, refresh)


def revoke_session(request: HttpRequest, actor: User, session: RefreshFamily) -> None:
    sessions.revoke_session(identity, request, actor, session)


def revoke_sessions(user: User, reason: str, *, keep: uuid.UUID | None = None) -> int:
    return sessions.revoke_sessions(identity, user, reason, keep=keep)


def answer_challenge(request: HttpRequest, *, challenge: str, code: str) -> TokenPair:
    return twofactor.answer_challenge(identity, request, challenge, code)


def begin_enrolment_for_sign_in(request: HttpRequest, *, challenge: str) -> TotpEnrolment:
    return twofactor.begin_enrolment_for_sign_in(identity, request, challenge)


def confirm_enrolment_for_sign_in(request: HttpRequest, *, challenge: str, code: str) -> EnrolledSignIn:
    return twofactor.confirm_enrolment_for_sign_in(identity, request, challenge, code)


def begin_totp_enrolment(request: HttpRequest, user: User) -> TotpEnrolment:
    return twofactor.begin_totp_enrolment(identity, request, user)


def confirm_totp(request: HttpRequest, user: User, *, code: str) -> list[str]:
    return twofactor.confirm_totp(identity, request, user, code)


def regenerate_backup_codes(request: HttpRequest, user: User, *, code: str) -> list[str]:
    return twofactor.regenerate_backup_codes(identity, request, user, code)


def disable_two_factor(request: HttpRequest, user: User, *, code: str) -> None:
    twofactor.disable(identity, request, user, code)
