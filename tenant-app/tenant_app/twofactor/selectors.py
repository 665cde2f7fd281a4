"""Reads: whether a user has a second factor, needs one, and how they can prove it."""

from __future__ import annotations

from dataclasses import dataclass

from django_otp.plugins.otp_totp.models import TOTPDevice

from tenant_app.accounts.models import User
from tenant_app.twofactor.models import BackupCode, Method


@dataclass(frozen=True)
class TwoFactorStatus:
    enabled: bool
    methods: list[str]
    backup_codes_remaining: int
    required_by_role: bool


def has_authenticator(user: User) -> bool:
    """Whether the user has a confirmed authenticator app, which turns two-factor sign-in on."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def required_by_role(user: User) -> bool:
    return user.role is not None and user.role.requires_two_factor


def backup_codes_remaining(user: User) -> int:
    return BackupCode.objects.filter(user=user, used_at__isnull=True).count()


def _methods(enabled: bool, backup_codes: int) -> list[str]:
    if not enabled:
        return []
    return [Method.TOTP, Method.BACKUP_CODE] if backup_codes else [Method.TOTP]


def methods_of(user: User) -> list[str]:
    """The ways the user can pass a challenge now (none: two-factor is off)."""
    if not has_authenticator(user):
        return []
    return _methods(True, backup_codes_remaining(user))


def status_of(user: User) -> TwoFactorStatus:
    enabled, remaining = has_authenticator(user), backup_codes_remaining(user)
    return TwoFactorStatus(
        enabled=enabled,
        methods=_methods(enabled, remaining),
        backup_codes_remaining=remaining,
        required_by_role=required_by_role(user),
    )
