"""What two-factor authentication keeps besides django-otp's TOTP devices: backup codes, pending sign-ins, lockouts.

The authenticator app's secret lives in django-otp's `TOTPDevice` (unconfirmed until a first code proves the
app has it).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models


class Method(models.TextChoices):
    """Ways of proving the second factor."""

    TOTP = "totp", "A code from an authenticator app"
    BACKUP_CODE = "backup_code", "A single-use backup code"


class BackupCode(models.Model):
    """A single-use code for when the authenticator app is lost. Only a keyed hash is stored."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="backup_codes")
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "code_hash"], name="twofactor_backup_code_once")]

    def __str__(self) -> str:
        return f"backup code {self.pk} of user {self.user_id}"


class PendingSignIn(models.Model):
    """A sign-in whose first factor passed, waiting a few minutes for the second. Deleted when answered."""

    class Kind(models.TextChoices):
        # The values are what the sign-in answers as its "status".
        TWO_FACTOR = "two_factor_required", "Answer the challenge with a code"
        ENROLMENT = "enrolment_required", "Set up an authenticator app first"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=24, choices=Kind.choices)
    # How the first factor was passed ("password", "sso:<provider>"); the session's method gets "+2fa".
    first_factor = models.CharField(max_length=50)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"pending sign-in {self.id} of user {self.user_id}"


class Lockout(models.Model):
    """A user's consecutive wrong second-factor codes and, after too many, until when codes are refused.

    Its row is also the lock every code check of the user takes, so checks of one user never run in parallel.
    """

    user = models.OneToOneField(settings.AUTH_USER_MODEL, primary_key=True, on_delete=models.CASCADE, related_name="+")
    consecutive_failures = models.PositiveSmallIntegerField(default=0)
    locked_until = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"two-factor lockout of user {self.user_id}"
