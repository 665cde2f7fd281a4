"""Abstract models of identity; each project subclasses them under its own app labels and tables.

Meta options that name a table (indexes, constraints) stay in the concrete models: an index named here would be
shared by every subclass.
"""

from __future__ import annotations

import uuid
from typing import Any, ClassVar, Generic, TypeVar

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.utils import timezone


def normalize_email(email: str) -> str:
    """One spelling per address: addresses are compared case-insensitively everywhere."""
    return email.strip().lower()


UserT = TypeVar("UserT", bound="AbstractEmailUser")


class EmailUserManager(BaseUserManager[UserT], Generic[UserT]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **fields: Any) -> UserT:
        if not email:
            raise ValueError("A user needs an email address.")
        user = self.model(email=normalize_email(email), **fields)
        user.set_password(password)  # None → unusable password (accounts that sign in through a provider)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **fields: Any) -> UserT:
        fields.setdefault("is_staff", True)
        fields.setdefault("is_superuser", True)
        return self.create_user(email, password, **fields)

    def get_by_natural_key(self, username: str | None) -> UserT:
        return self.get(email=normalize_email(username or ""))


class AbstractEmailUser(AbstractBaseUser, PermissionsMixin):
    """A person who signs in with an email address, verified through an emailed link."""

    # Stored lower-cased (normalize_email), so a plain unique index is case-insensitive.
    email = models.EmailField(max_length=254, unique=True)
    full_name = models.CharField(max_length=150, blank=True)
    is_active = models.BooleanField(default=True)
    # Django admin access, not a role in the product.
    is_staff = models.BooleanField(default=False)
    email_verified_at = models.DateTimeField(null=True, blank=True)
    date_joined = models.DateTimeField(default=timezone.now)

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.email

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.email = normalize_email(self.email)
        super().save(*args, **kwargs)

    @property
    def email_verified(self) -> bool:
        return self.email_verified_at is not None


class AbstractSession(models.Model):
    """A session: one sign-in on one device, and every refresh token rotated from it (a refresh-token family).

    Rotation hands out a new refresh token on each use and blacklists the old one; a blacklisted token presented
    again means it was stolen (or the client is broken), so the whole family is revoked.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="refresh_families")
    # How the session began: "password", "sso:<provider>", with "+2fa" when a second factor was used.
    method = models.CharField(max_length=60, default="password")
    user_agent = models.CharField(max_length=300, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_reason = models.CharField(max_length=32, blank=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"refresh family {self.id} of user {self.user_id}"

    @property
    def active(self) -> bool:
        return self.revoked_at is None


class Method(models.TextChoices):
    """Ways of proving the second factor."""

    TOTP = "totp", "A code from an authenticator app"
    BACKUP_CODE = "backup_code", "A single-use backup code"


class AbstractBackupCode(models.Model):
    """A single-use code for when the authenticator app is lost. Only a keyed hash is stored."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="backup_codes")
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"backup code {self.pk} of user {self.user_id}"


class AbstractPendingSignIn(models.Model):
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

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"pending sign-in {self.id} of user {self.user_id}"


class AbstractLockout(models.Model):
    """A user's consecutive wrong second-factor codes and, after too many, until when codes are refused.

    Its row is also the lock every code check of the user takes, so checks of one user never run in parallel.
    """

    user = models.OneToOneField(settings.AUTH_USER_MODEL, primary_key=True, on_delete=models.CASCADE, related_name="+")
    consecutive_failures = models.PositiveSmallIntegerField(default=0)
    locked_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"two-factor lockout of user {self.user_id}"
