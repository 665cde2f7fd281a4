"""Reads: a user's notifications (only ever their own), the unread count, and the backlog after an id."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import QuerySet

from tenant_app.access.policy import Context, scope
from tenant_app.accounts.models import User
from tenant_app.notifications.messages import stored_message
from tenant_app.notifications.models import Notification


def notifications_of(
    user: User, action: str = "notifications.view", context: Context | None = None
) -> QuerySet[Notification]:
    """The user's own notifications that the policy engine lets them `action` (newest first)."""
    # Filtered by recipient here too: no role or policy ever shows anyone else's.
    return scope(user, action, Notification.objects.filter(recipient=user), context)


def unread_count(user: User) -> int:
    return notifications_of(user).filter(read_at__isnull=True).count()


@dataclass(frozen=True)
class Backlog:
    """What a reconnecting client missed, oldest first; `truncated` when there is more than one batch."""

    messages: list[dict[str, Any]]
    truncated: bool


def backlog_after(user_id: int, after_id: int, limit: int | None = None) -> Backlog:
    """The user's notifications with an id above `after_id`, oldest first, at most `limit` of them."""
    limit = limit or settings.NOTIFICATIONS_BACKLOG_LIMIT
    rows = list(Notification.objects.filter(recipient_id=user_id, id__gt=after_id).order_by("id")[: limit + 1])
    return Backlog([stored_message(row) for row in rows[:limit]], truncated=len(rows) > limit)
