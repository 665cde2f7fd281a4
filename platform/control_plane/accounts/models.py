"""Portal users (tenant owners, their admin and billing members, platform staff) and their sessions and 2FA.

The fields and mechanics are the kernel's (tenantry_kernel.identity), the same the tenant app uses; staff
(`is_staff`) are the platform's operators and must pass a second factor.
"""

from __future__ import annotations

from typing import ClassVar

from django.db import models

from tenantry_kernel.identity.models import (
    AbstractBackupCode,
    AbstractEmailUser,
    AbstractLockout,
    AbstractPendingSignIn,
    AbstractSession,
    EmailUserManager,
    Method,
    normalize_email,
)

__all__ = [
    "BackupCode",
    "Lockout",
    "Method",
    "PendingSignIn",
    "RefreshFamily",
    "User",
    "UserManager",
    "normalize_email",
]


class UserManager(EmailUserManager["User"]):
    pass


class User(AbstractEmailUser):
    objects: ClassVar[UserManager] = UserManager()

    class Meta:
        ordering = ["id"]


class RefreshFamily(AbstractSession):
    """A portal session: one sign-in on one device, and every refresh token rotated from it."""

    class Meta:
        indexes = [models.Index(fields=["user", "revoked_at"])]


class BackupCode(AbstractBackupCode):
    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "code_hash"], name="accounts_backup_code_once")]


class PendingSignIn(AbstractPendingSignIn):
    pass


class Lockout(AbstractLockout):
    pass
