"""A notification: one row per recipient, its id the event id that clients resume from."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class Notification(models.Model):
    # Ascending in creation order: a reconnecting client asks for everything after the last id it saw.
    id = models.BigAutoField(primary_key=True)
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    # What happened, for programs ("order.paid", "product.low_stock"); `title` and `body` are for people.
    kind = models.CharField(max_length=60)
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    # What a client needs to act on it (ids, links), as JSON.
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        indexes = [
            # A user's list (newest first) and the backlog after an id (resume).
            models.Index(fields=["recipient", "id"], name="notification_recipient_id"),
            # Unread ones: the badge count and `?unread=true`, small however many are read.
            models.Index(fields=["recipient", "id"], name="notification_unread", condition=Q(read_at__isnull=True)),
        ]

    def __str__(self) -> str:
        return f"{self.kind} for user {self.recipient_id}"

    @property
    def unread(self) -> bool:
        return self.read_at is None
