"""What two-factor authentication keeps besides django-otp's TOTP devices: backup codes, pending sign-ins, lockouts.

The fields and the mechanics are the kernel's (tenantry_kernel.identity), shared with the portal. The
authenticator app's secret lives in django-otp's `TOTPDevice` (unconfirmed until a first code proves the app has it).
"""

from __future__ import annotations

from django.db import models

from tenantry_kernel.identity.models import AbstractBackupCode, AbstractLockout, AbstractPendingSignIn, Method

__all__ = ["BackupCode", "Lockout", "Method", "PendingSignIn"]


class BackupCode(AbstractBackupCode):
    """A single-use code for when the authenticator app is lost. Only a keyed hash is stored."""

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "code_hash"], name="twofactor_backup_code_once")]


class PendingSignIn(AbstractPendingSignIn):
    """A sign-in whose first factor passed, waiting a few minutes for the second. Deleted when answered."""


class Lockout(AbstractLockout):
    """A user's consecutive wrong second-factor codes and, after too many, until when codes are refused."""
