"""What the scheduled work leaves in a tenant's schema: daily reports and the reminders already sent."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class DailyReport(models.Model):
    """One day of the store's activity, computed the night after from the audit log and the members.

    One row per day: computing a day again (a retried or repeated task) updates it.
    """

    date = models.DateField(unique=True)
    sign_ins = models.PositiveIntegerField(default=0)
    people_signed_in = models.PositiveIntegerField(default=0)
    failed_sign_ins = models.PositiveIntegerField(default=0)
    new_members = models.PositiveIntegerField(default=0)
    computed_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-date"]

    def __str__(self) -> str:
        return f"daily report of {self.date:%Y-%m-%d}"


class InvitationReminder(models.Model):
    """A pending invitation was reminded; the unique user makes that happen at most once."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="invitation_reminder")
    sent_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"invitation reminder for user {self.user_id}"
