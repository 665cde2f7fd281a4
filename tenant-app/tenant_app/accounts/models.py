"""People of a workspace, and their sessions.

A user signs in with an email address. A session is a refresh-token family: every refresh token descended from
one sign-in (tenantry_kernel.identity.sessions rotates them and revokes a family whose token is reused). The
fields and their mechanics are the kernel's, shared with the portal; a workspace adds roles and attributes.
"""

from __future__ import annotations

from typing import ClassVar

from django.db import models

from tenantry_kernel.identity.models import AbstractEmailUser, AbstractSession, EmailUserManager, normalize_email

__all__ = ["RefreshFamily", "User", "UserManager", "normalize_email"]


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
