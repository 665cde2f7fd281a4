"""People of a workspace, their sessions and their second factor.

A user signs in with an email address. A session is a refresh-token family: every refresh token descended from
one sign-in (tenantry_kernel.identity.sessions rotates them and revokes a family whose token is reused). Two-factor
authentication keeps backup codes, pending sign-ins and lockouts here; the authenticator app's secret lives in
django-otp's `TOTPDevice` (unconfirmed until a first code proves the app has it). The fields and their mechanics are
the kernel's, shared with the portal; a workspace adds roles and attributes.
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
    role = models.ForeignKey("access.Role", null=True, blank=True, on_delete=models.PROTECT, related_name="users")
    # Subject attributes policies can test, e.g. {"location": "north"}.
    attributes = models.JSONField(default=dict, blank=True)

    objects: ClassVar[UserManager] = UserManager()

    class Meta:
        ordering = ["id"]


class RefreshFamily(AbstractSession):
    """A session: one sign-in on one device, and every refresh token rotated from it."""

    class Meta:
        indexes = [models.Index(fields=["user", "revoked_at"])]


# The two-factor models were the app "twofactor" until it was folded into accounts: their tables keep its names
# (migration 0002 moved only Django's idea of where they live).


class BackupCode(AbstractBackupCode):
    class Meta:
        db_table = "twofactor_backupcode"
        constraints = [models.UniqueConstraint(fields=["user", "code_hash"], name="twofactor_backup_code_once")]


class PendingSignIn(AbstractPendingSignIn):
    class Meta:
        db_table = "twofactor_pendingsignin"


class Lockout(AbstractLockout):
    class Meta:
        db_table = "twofactor_lockout"
