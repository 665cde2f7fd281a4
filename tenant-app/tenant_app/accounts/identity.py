"""The workspace's identity for the kernel's mechanics and API: its models, tokens bound to the tenant, its audit
log, its account mail and how it shows the signed-in user (role, permissions, tenant)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from tenant_app.accounts import emails, tasks
from tenant_app.accounts.tokens import TENANT_CLAIM, tenant_of
from tenant_app.audit.actions import record_security_event
from tenant_app.audit.models import AuditEventType
from tenantry_kernel.celery import enqueue_on_commit
from tenantry_kernel.identity.config import AccountMail, Identity, SecurityEvent, TokenBinding


def _record(
    request: HttpRequest | None, event: SecurityEvent, *, actor: Any = None, subject: str = "", **details: Any
) -> object:
    return record_security_event(request, AuditEventType(event.value), actor=actor, subject=subject, **details)


def _mail(request: HttpRequest, mail: AccountMail, user: Any) -> None:
    """Once the transaction commits; the worker makes the link to the store's host (accounts.emails)."""
    enqueue_on_commit(tasks.send_account_email, mail.value, user.pk, emails.origin_of(request), None)


def _required_by_role(user: Any) -> bool:
    return user.role is not None and bool(user.role.requires_two_factor)


identity = Identity(
    session_model="accounts.RefreshFamily",
    backup_code_model="accounts.BackupCode",
    pending_sign_in_model="accounts.PendingSignIn",
    lockout_model="accounts.Lockout",
    binding=TokenBinding(
        claim=TENANT_CLAIM,
        value_for=tenant_of,
        code="token_wrong_tenant",
        message="This token was issued for another store.",
        challenge_code="challenge_wrong_tenant",
        challenge_message="This challenge was issued by another store.",
    ),
    audit=_record,
    mail=_mail,
    second_factor_required=_required_by_role,
    required_code="two_factor_required_by_role",
    required_message="Your role requires two-factor authentication, so it cannot be turned off.",
    me_serializer="tenant_app.accounts.api.serializers.MeSerializer",
)
