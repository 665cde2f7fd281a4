"""Every state change of schedules: a tenant's Celery Beat entries, its daily reports, invitation reminders.

Where Beat's tables live (django-celery-beat's DatabaseScheduler):
- shared tier: in the shard's `public` schema, written and read over the service connection
  (never inside a tenant's transaction, whose role cannot reach `public`). One beat per shard
  sends every tenant's entries; each entry carries its tenant in the message headers, so the
  shard's worker pool runs it as that tenant (tenancy.tasks.TenantTask).
- dedicated tier: in the tenant's own schema; its beat and worker connect as the tenant.
Because tenant schemas are migrated like any other, every tenant schema holds (empty) Beat
tables in the shared tier too: a few kilobytes each, and what lets a tenant move to the
dedicated tier without a migration.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django_celery_beat.models import CrontabSchedule, IntervalSchedule, PeriodicTask

from tenant_app.accounts.actions import remind_invitation
from tenant_app.schedules.models import DailyReport, InvitationReminder
from tenant_app.schedules.selectors import activity_on, pending_invitations
from tenant_app.tenancy.routes import routes, tenants_on_shard
from tenantry_kernel.celery import TENANT_HEADER
from tenantry_kernel.context import current_tenant
from tenantry_kernel.provisioning.naming import validate_slug

DEFAULT_TIMEZONE = "UTC"


@dataclass(frozen=True)
class TenantSchedule:
    """One periodic task every tenant gets: a crontab (in the tenant's time zone) or a fixed interval."""

    key: str
    task: str
    description: str
    cron: str | None = None  # "minute hour day-of-month month day-of-week"
    every: dt.timedelta | None = None

    def __post_init__(self) -> None:
        if (self.cron is None) == (self.every is None):
            raise ValueError(f"schedule {self.key!r} needs exactly one of cron or every")
        if self.cron is not None and len(self.cron.split()) != 5:
            raise ValueError(f"schedule {self.key!r}: cron {self.cron!r} must have five fields")


def default_schedules() -> tuple[TenantSchedule, ...]:
    return (
        TenantSchedule(
            key="nightly-report",
            task="tenantry.schedules.nightly_activity_report",
            description="Yesterday's sign-ins, failed sign-ins and new members",
            cron=settings.SCHEDULES_NIGHTLY_REPORT_CRON,
        ),
        TenantSchedule(
            key="invitation-reminders",
            task="tenantry.schedules.remind_pending_invitations",
            description="Remind invited members who have not joined yet, once",
            cron=settings.SCHEDULES_INVITATION_REMINDER_CRON,
        ),
        TenantSchedule(
            key="usage-report",
            task="tenantry.metering.report_usage",
            description="Last hour's usage, reported to the platform's billing ledger (usage.reported)",
            cron=settings.SCHEDULES_USAGE_REPORT_CRON,
        ),
        TenantSchedule(
            key="prune-inbox",
            task="tenantry.schedules.prune_inbox",
            description="Forget event ids the tenant's consumers handled long ago",
            cron=settings.SCHEDULES_PRUNE_INBOX_CRON,
        ),
        TenantSchedule(
            key="release-reservations",
            task="tenantry.checkout.release_expired_reservations",
            description="Give back stock held by lapsed cart reservations and expired carts",
            every=dt.timedelta(minutes=1),
        ),
    )


def schedule_name(slug: str, key: str) -> str:
    """Beat entry names start with the tenant ('acme:nightly-report'); a slug never holds ':'."""
    return f"{slug}:{key}"


def _refuse_tenant_connection(slug: str) -> None:
    if settings.TENANCY_MODE == "dedicated":
        if slug != settings.TENANT_SLUG:
            raise ValueError(f"this process serves tenant {settings.TENANT_SLUG!r}, not {slug!r}")
    elif current_tenant() is not None:
        # Inside a tenant's transaction the rows would land in its schema, where no beat reads.
        raise RuntimeError("shared tier: change Beat schedules over the service connection, not as a tenant")


def _crontab(cron: str, tz: str) -> CrontabSchedule:
    minute, hour, day_of_month, month_of_year, day_of_week = cron.split()
    spec = {
        "minute": minute,
        "hour": hour,
        "day_of_month": day_of_month,
        "month_of_year": month_of_year,
        "day_of_week": day_of_week,
        "timezone": tz,
    }
    # Schedules are shared by every entry that uses them; no unique constraint, so tolerate twins.
    return CrontabSchedule.objects.filter(**spec).order_by("id").first() or CrontabSchedule.objects.create(**spec)


def _interval(every: dt.timedelta) -> IntervalSchedule:
    spec = {"every": max(1, int(every.total_seconds())), "period": IntervalSchedule.SECONDS}
    return IntervalSchedule.objects.filter(**spec).order_by("id").first() or IntervalSchedule.objects.create(**spec)


def ensure_tenant_schedules(
    slug: str,
    *,
    schedules: Sequence[TenantSchedule] | None = None,
    tz: str = DEFAULT_TIMEZONE,
    enabled: bool = True,
) -> list[PeriodicTask]:
    """Make the tenant's Beat entries exactly `schedules` (default: the nightly report and the reminders).

    Idempotent: entries are updated in place by name, entries of the tenant that are no longer
    wanted are removed. Tenants have no time zone of their own yet: crontabs run in `tz` (UTC).
    """
    validate_slug(slug)
    _refuse_tenant_connection(slug)
    ZoneInfo(tz)  # an unknown time zone fails here, not at night in the beat
    wanted = default_schedules() if schedules is None else tuple(schedules)
    entries = []
    with transaction.atomic():
        for schedule in wanted:
            fields = {
                "task": schedule.task,
                "crontab_id": _crontab(schedule.cron, tz).pk if schedule.cron else None,
                "interval_id": _interval(schedule.every).pk if schedule.every else None,
                "solar_id": None,
                "clocked_id": None,
                "kwargs": json.dumps({"tz": tz}),
                "headers": json.dumps({TENANT_HEADER: slug}),
                "enabled": enabled,
                "description": schedule.description,
            }
            name = schedule_name(slug, schedule.key)
            entry = PeriodicTask.objects.filter(name=name).first()
            # Only a real change is written: every write makes each beat reload its whole schedule.
            if entry is None or any(getattr(entry, field) != value for field, value in fields.items()):
                entry, _ = PeriodicTask.objects.update_or_create(name=name, defaults=fields)
            entries.append(entry)
        _tenant_entries(slug).exclude(pk__in=[entry.pk for entry in entries]).delete()
    return entries


def _tenant_entries(slug: str) -> QuerySet[PeriodicTask]:
    return PeriodicTask.objects.filter(name__startswith=schedule_name(slug, ""))


def remove_tenant_schedules(slug: str) -> int:
    """Remove every Beat entry of the tenant (it left the shard or was deleted); the count removed."""
    validate_slug(slug)
    _refuse_tenant_connection(slug)
    with transaction.atomic():
        removed, _ = _tenant_entries(slug).delete()
    return removed


def sync_shard_schedules() -> dict[str, int]:
    """Every tenant this process serves gets its entries; suspended ones paused, departed ones removed.

    Shared tier: the tenants of the shard's routing table. Dedicated: this process's tenant.
    """
    if settings.TENANCY_MODE == "dedicated":
        ensure_tenant_schedules(settings.TENANT_SLUG)
        return {"ensured": 1, "paused": 0, "removed": 0}
    routed = sorted(tenants_on_shard())
    counts = {"ensured": 0, "paused": 0, "removed": 0}
    for slug in routed:
        route = routes.of_tenant(slug)
        active = route is not None and not route.suspended
        ensure_tenant_schedules(slug, enabled=active)
        counts["ensured" if active else "paused"] += 1
    for entry in PeriodicTask.objects.exclude(headers__isnull=True).only("name", "headers"):
        tenant = json.loads(entry.headers or "{}").get(TENANT_HEADER)
        if tenant and tenant not in routed:
            entry.delete()
            counts["removed"] += 1
    return counts


def _require_tenant() -> str:
    tenant = current_tenant()
    if tenant is None:
        raise RuntimeError("this work reads a tenant's data: run it as a tenant (Beat entries carry one)")
    return tenant


def record_daily_report(day: dt.date | None = None, *, tz: str = DEFAULT_TIMEZONE) -> DailyReport:
    """Compute one day's figures (default: yesterday in `tz`) into the tenant's DailyReport of that day.

    Running it again for the same day recomputes the same row.
    """
    _require_tenant()
    day = day or dt.datetime.now(ZoneInfo(tz)).date() - dt.timedelta(days=1)
    figures = activity_on(day, tz)
    with transaction.atomic():
        report, _ = DailyReport.objects.update_or_create(
            date=day,
            defaults={
                "sign_ins": figures.sign_ins,
                "people_signed_in": figures.people_signed_in,
                "failed_sign_ins": figures.failed_sign_ins,
                "new_members": figures.new_members,
            },
        )
    return report


def remind_pending_invitations(now: dt.datetime | None = None) -> int:
    """Remind, once each, members invited more than SCHEDULES_INVITATION_REMINDER_AFTER_DAYS ago who have not joined.

    Invitations older than SCHEDULES_INVITATION_REMINDER_WITHIN_DAYS are left alone. The
    reminder row and the mail (sent on commit) go together: a rolled-back run sends nothing,
    and a repeated run finds the row and sends nothing again.
    """
    tenant = _require_tenant()
    now = now or timezone.now()
    users = pending_invitations(
        invited_before=now - dt.timedelta(days=settings.SCHEDULES_INVITATION_REMINDER_AFTER_DAYS),
        invited_after=now - dt.timedelta(days=settings.SCHEDULES_INVITATION_REMINDER_WITHIN_DAYS),
    )
    origin = store_origin(tenant)
    reminded = 0
    for user in users:
        with transaction.atomic():
            _, created = InvitationReminder.objects.get_or_create(user=user)
            if created:
                remind_invitation(user, origin=origin)
                reminded += 1
    return reminded


def store_origin(tenant: str) -> str:
    """Where the tenant's store is reached, for links in mail sent outside a request.

    Dedicated: its first allowed host (the operator lists the primary one first); shared: a
    host of its route. ACCOUNTS_STORE_ORIGIN gives the scheme and port ("https://{host}").
    """
    if settings.TENANCY_MODE == "dedicated":
        host = next(h for h in settings.ALLOWED_HOSTS if h and not h.startswith(".") and h != "*")
    else:
        route = routes.of_tenant(tenant)
        if route is None:
            raise RuntimeError(f"tenant {tenant!r} has no route on this shard")
        host = route.host
    return str(settings.ACCOUNTS_STORE_ORIGIN).format(host=host)
