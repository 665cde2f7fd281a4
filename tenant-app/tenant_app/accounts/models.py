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

from tenantry_kernel.addresses import MAX_LENGTHS as ADDRESS_LENGTHS
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
    "MAX_ADDRESSES_PER_USER",
    "Address",
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
    # The language the user reads the store in (one of LANGUAGES; blank: the store's default): their emails use it.
    language = models.CharField(max_length=16, blank=True)

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


# The shopper's address book: addresses checked and cleaned by tenantry_kernel.addresses (same fields, same lengths).
MAX_ADDRESSES_PER_USER = 20


class Address(models.Model):
    owner = models.ForeignKey(User, on_delete=models.CASCADE, related_name="addresses")
    name = models.CharField(max_length=ADDRESS_LENGTHS["name"])
    company = models.CharField(max_length=ADDRESS_LENGTHS["company"], blank=True)
    street_address_1 = models.CharField(max_length=ADDRESS_LENGTHS["street_address_1"])
    street_address_2 = models.CharField(max_length=ADDRESS_LENGTHS["street_address_2"], blank=True)
    city = models.CharField(max_length=ADDRESS_LENGTHS["city"], blank=True)
    city_area = models.CharField(max_length=ADDRESS_LENGTHS["city_area"], blank=True)
    country_area = models.CharField(max_length=ADDRESS_LENGTHS["country_area"], blank=True)
    postal_code = models.CharField(max_length=ADDRESS_LENGTHS["postal_code"], blank=True)
    sorting_code = models.CharField(max_length=ADDRESS_LENGTHS["sorting_code"], blank=True)
    country = models.CharField(max_length=ADDRESS_LENGTHS["country"])  # ISO 3166-1 alpha-2
    phone = models.CharField(max_length=ADDRESS_LENGTHS["phone"], blank=True)
    is_default_shipping = models.BooleanField(default=False)
    is_default_billing = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["owner"], condition=models.Q(is_default_shipping=True), name="accounts_address_one_shipping"
            ),
            models.UniqueConstraint(
                fields=["owner"], condition=models.Q(is_default_billing=True), name="accounts_address_one_billing"
            ),
        ]
        verbose_name_plural = "addresses"

    def __str__(self) -> str:
        return f"address {self.pk} of user {self.owner_id}"
