"""Reads behind the scheduled work: a day's activity figures and the invitations still waiting."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.db.models import Count, Q

from tenant_app.accounts.models import User
from tenant_app.audit.models import AuditEvent, AuditEventType


@dataclass(frozen=True)
class DailyActivity:
    sign_ins: int
    people_signed_in: int
    failed_sign_ins: int
    new_members: int


def day_bounds(day: dt.date, timezone: str) -> tuple[dt.datetime, dt.datetime]:
    """[start, end) of a calendar day in the tenant's time zone (23 or 25 hours on DST changes)."""
    zone = ZoneInfo(timezone)
    start = dt.datetime.combine(day, dt.time.min, tzinfo=zone)
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min, tzinfo=zone)
    return start, end


def activity_on(day: dt.date, timezone: str) -> DailyActivity:
    """Sign-ins, distinct people signed in, failed sign-ins (audit log) and members who joined that day."""
    start, end = day_bounds(day, timezone)
    figures = AuditEvent.objects.filter(occurred_at__gte=start, occurred_at__lt=end).aggregate(
        sign_ins=Count("id", filter=Q(type=AuditEventType.SIGN_IN)),
        people_signed_in=Count("actor", filter=Q(type=AuditEventType.SIGN_IN), distinct=True),
        failed_sign_ins=Count("id", filter=Q(type=AuditEventType.SIGN_IN_FAILED)),
    )
    new_members = User.objects.filter(date_joined__gte=start, date_joined__lt=end).count()
    return DailyActivity(new_members=new_members, **figures)


def pending_invitations(invited_before: dt.datetime, invited_after: dt.datetime) -> list[User]:
    """Members invited in [invited_after, invited_before) who have not accepted and were never reminded.

    An invitation is the `user_invited` audit event; accepting it chooses a password and
    verifies the address, so a user still without either has not accepted.
    """
    invited = AuditEvent.objects.filter(
        type=AuditEventType.USER_INVITED, occurred_at__lt=invited_before, occurred_at__gte=invited_after
    ).values("subject")
    return list(
        User.objects.filter(
            email__in=invited,
            is_active=True,
            email_verified_at__isnull=True,
            password__startswith=UNUSABLE_PASSWORD_PREFIX,  # none chosen yet
            invitation_reminder__isnull=True,
        ).order_by("id")
    )
