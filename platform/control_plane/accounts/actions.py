"""State changes of portal accounts that are the portal's own: creating an account (signup, invitations), and the
session calls other apps make (signup's and invitations' first session, staff ending someone's sessions).

Sign-in, sessions, two-factor, emailed links and passwords are the kernel's identity API (tenantry_kernel.identity.api)
bound to this project in `accounts.identity`.
"""

from __future__ import annotations

import uuid

from django.db import IntegrityError, transaction
from django.http import HttpRequest
from rest_framework.exceptions import ErrorDetail, ValidationError

from control_plane.accounts.identity import identity, record_account_event, send_account_mail
from control_plane.accounts.models import User, normalize_email
from tenantry_kernel.identity import sessions
from tenantry_kernel.identity.accounts import check_new_password
from tenantry_kernel.identity.config import AccountMail
from tenantry_kernel.identity.tokens import TokenPair


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
    check_new_password(password, User(email=email, full_name=full_name))
    with transaction.atomic():
        try:
            # The unique index decides, not a look-up first: two sign-ups of one address race safely.
            with transaction.atomic():
                user = User.objects.create_user(email, password, full_name=full_name)
        except IntegrityError as exc:
            raise _email_taken() from exc
        record_account_event(request, "user_registered", actor=user)
        send_account_mail(request, AccountMail.VERIFY_EMAIL, user)
    return user


def start_session(request: HttpRequest, user: User, *, method: str) -> TokenPair:
    return sessions.start_session(identity, request, user, method=method)


def revoke_sessions(user: User, reason: str, *, keep: uuid.UUID | None = None) -> int:
    return sessions.revoke_sessions(identity, user, reason, keep=keep)
