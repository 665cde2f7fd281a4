"""The portal's identity for the kernel's mechanics and API: its models, tokens bound to the audience "portal", its
audit log, its account mail and how it shows the signed-in user."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from control_plane.accounts import emails, tasks
from control_plane.audit.actions import record
from tenantry_kernel.celery import enqueue_on_commit
from tenantry_kernel.identity.config import AccountMail, Identity, SecurityEvent, TokenBinding

AUDIENCE_CLAIM = "aud"
PORTAL_AUDIENCE = "portal"


def _portal(request: HttpRequest) -> str:
    return PORTAL_AUDIENCE


def record_account_event(
    request: HttpRequest | None, event: SecurityEvent | str, *, actor: Any = None, subject: str = "", **details: Any
) -> object:
    """An account's security event in the audit log as "account.<event>", with the user as its target."""
    data = {"subject": subject, **details} if subject else details
    target = actor if getattr(actor, "pk", None) is not None else None
    return record(f"account.{event}", actor=actor, target=target, data=data, request=request, source="portal")


def send_account_mail(request: HttpRequest | None, mail: AccountMail, user: Any) -> None:
    """Once the transaction commits; only the user and where the link leads go to the broker (accounts.emails)."""
    enqueue_on_commit(tasks.send_account_email, mail.value, user.pk, emails.portal_origin(request))


def _staff(user: Any) -> bool:
    return bool(user.is_staff)


identity = Identity(
    session_model="accounts.RefreshFamily",
    backup_code_model="accounts.BackupCode",
    pending_sign_in_model="accounts.PendingSignIn",
    lockout_model="accounts.Lockout",
    binding=TokenBinding(
        claim=AUDIENCE_CLAIM,
        value_for=_portal,
        code="token_wrong_audience",
        message="This token was not issued for the portal; sign in to the portal.",
        challenge_code="challenge_wrong_audience",
        challenge_message="This challenge was not issued by the portal; sign in again.",
    ),
    audit=record_account_event,
    mail=send_account_mail,
    # Platform staff reach every tenant's records: a password alone is not enough for them.
    second_factor_required=_staff,
    required_code="two_factor_required_for_staff",
    required_message="Platform staff must keep two-factor authentication on.",
    totp_issuer=lambda request: "Tenantry",
    me_serializer="control_plane.accounts.api.serializers.MeSerializer",
)
