"""What a project plugs into the identity mechanics: its concrete models, its token binding, its audit log, its
account mail and the serializer of its signed-in user (the shared API, tenantry_kernel.identity.api, uses them)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Protocol, cast

from django.apps import apps
from django.http import HttpRequest
from django.utils.module_loading import import_string
from rest_framework.exceptions import AuthenticationFailed

if TYPE_CHECKING:
    from rest_framework.serializers import BaseSerializer

    from tenantry_kernel.identity.models import (
        AbstractBackupCode,
        AbstractLockout,
        AbstractPendingSignIn,
        AbstractSession,
    )


class SecurityEvent(StrEnum):
    """What the mechanics report to the project's audit hook."""

    SIGN_IN = "sign_in"
    SIGN_IN_FAILED = "sign_in_failed"
    SIGN_OUT = "sign_out"
    TOKEN_REUSED = "token_reused"  # noqa: S105 (an event name, not a secret)
    SESSION_REVOKED = "session_revoked"
    EMAIL_VERIFICATION_REQUESTED = "verification_requested"
    EMAIL_VERIFIED = "email_verified"
    PASSWORD_RESET_REQUESTED = "password_reset_requested"  # noqa: S105 (an event name)
    PASSWORD_RESET = "password_reset"  # noqa: S105 (an event name)
    PASSWORD_CHANGED = "password_changed"  # noqa: S105 (an event name)
    TWO_FACTOR_ENABLED = "two_factor_enabled"
    TWO_FACTOR_DISABLED = "two_factor_disabled"
    TWO_FACTOR_FAILED = "two_factor_failed"
    TWO_FACTOR_LOCKED = "two_factor_locked"
    BACKUP_CODE_USED = "backup_code_used"
    BACKUP_CODES_REGENERATED = "backup_codes_regenerated"


class AuditHook(Protocol):
    """Records one security event in the project's audit log, inside the transaction of the change."""

    def __call__(
        self, request: HttpRequest | None, event: SecurityEvent, *, actor: Any = None, subject: str = "", **details: Any
    ) -> object: ...


class AccountMail(StrEnum):
    """Mails with a one-time link (tenantry_kernel.identity.links) that the shared API sends."""

    VERIFY_EMAIL = "verify_email"
    RESET_PASSWORD = "reset_password"  # noqa: S105 (a mail's name)


class AccountMailer(Protocol):
    """Sends `user` the mail `mail` once the transaction commits; the project's worker makes its link.

    Where the link leads (the portal's front end, the store's host) is the project's to decide, from `request`.
    """

    def __call__(self, request: HttpRequest, mail: AccountMail, user: Any) -> None: ...


@dataclass(frozen=True)
class TokenBinding:
    """The claim that ties tokens and sign-in challenges to where they were issued, and how a mismatch is refused.

    The tenant app binds them to the tenant ("tenant": its slug); the portal to its audience ("aud": "portal").
    A token or challenge presented elsewhere is refused before its user is even looked up.
    """

    claim: str
    value_for: Callable[[HttpRequest], str]
    code: str
    message: str
    challenge_code: str
    challenge_message: str

    def check_token(self, claims: Any, request: HttpRequest) -> None:
        self.check_token_value(claims, self.value_for(request))

    def check_token_value(self, claims: Any, expected: str) -> None:
        if claims.get(self.claim) != expected:
            raise AuthenticationFailed(self.message, code=self.code)

    def check_challenge(self, claims: Any, request: HttpRequest) -> None:
        if claims.get(self.claim) != self.value_for(request):
            raise AuthenticationFailed(self.challenge_message, code=self.challenge_code)


def _required_by_no_one(user: Any) -> bool:
    return False


def _request_host(request: HttpRequest) -> str:
    return request.get_host().rsplit(":", 1)[0]


@dataclass(frozen=True)
class Identity:
    """One project's identity: models by "app_label.Model" (resolved when used, so this can be made at import)."""

    session_model: str
    backup_code_model: str
    pending_sign_in_model: str
    lockout_model: str
    binding: TokenBinding
    audit: AuditHook
    mail: AccountMailer
    # Whether the user must pass a second factor (and so enrol one before their first session).
    second_factor_required: Callable[[Any], bool] = _required_by_no_one
    # What a user who must keep two-factor on is told when they try to turn it off.
    required_code: str = "two_factor_required"
    required_message: str = "Two-factor authentication is required for your account, so it cannot be turned off."
    # The issuer authenticator apps show next to the account.
    totp_issuer: Callable[[HttpRequest], str] = field(default=_request_host)
    # The serializer of GET/PATCH me/ and of what a verified link answers, by dotted path (resolved when used):
    # the kernel's fields, or a project's subclass with its own (roles, permissions, staff).
    me_serializer: str = "tenantry_kernel.identity.api.serializers.MeSerializer"

    @property
    def sessions(self) -> type[AbstractSession]:
        return cast("type[AbstractSession]", apps.get_model(self.session_model))

    @property
    def backup_codes(self) -> type[AbstractBackupCode]:
        return cast("type[AbstractBackupCode]", apps.get_model(self.backup_code_model))

    @property
    def pending_sign_ins(self) -> type[AbstractPendingSignIn]:
        return cast("type[AbstractPendingSignIn]", apps.get_model(self.pending_sign_in_model))

    @property
    def me_serializer_class(self) -> type[BaseSerializer[Any]]:
        return cast("type[BaseSerializer[Any]]", import_string(self.me_serializer))

    @property
    def lockouts(self) -> type[AbstractLockout]:
        return cast("type[AbstractLockout]", apps.get_model(self.lockout_model))
