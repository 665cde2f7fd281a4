"""A refresh-token family: every refresh token descended from one sign-in.

Rotation hands out a new refresh token on each use and blacklists the old one; a
blacklisted token presented again means it was stolen (or the client is broken), so the
whole family is revoked and the user must sign in again.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models


class RefreshFamily(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="refresh_families")
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_reason = models.CharField(max_length=32, blank=True)

    class Meta:
        indexes = [models.Index(fields=["user", "revoked_at"])]

    def __str__(self) -> str:
        return f"refresh family {self.id} of user {self.user_id}"
