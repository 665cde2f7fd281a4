"""Reads: whether a user has a second factor, needs one, and how they can prove it."""

from __future__ import annotations

from dataclasses import dataclass

from tenant_app.accounts.identity import identity
from tenant_app.accounts.models import User
from tenantry_kernel.identity import challenges, twofactor


@dataclass(frozen=True)
class TwoFactorStatus:
    enabled: bool
    methods: list[str]
    backup_codes_remaining: int
    required_by_role: bool


def has_authenticator(user: User) -> bool:
    """Whether the user has a confirmed authenticator app, which turns two-factor sign-in on."""
    return challenges.has_authenticator(user)


def required_by_role(user: User) -> bool:
    return identity.second_factor_required(user)


def backup_codes_remaining(user: User) -> int:
    return challenges.backup_codes_remaining(identity, user)


def methods_of(user: User) -> list[str]:
    """The ways the user can pass a challenge now (none: two-factor is off)."""
    return challenges.methods_of(identity, user)


def status_of(user: User) -> TwoFactorStatus:
    status = twofactor.status_of(identity, user)
    return TwoFactorStatus(
        enabled=status.enabled,
        methods=status.methods,
        backup_codes_remaining=status.backup_codes_remaining,
        required_by_role=status.required,
    )
