"""Celery tasks of schedules, sent by Celery Beat; each one calls its action and is safe to run twice.

The per-tenant entries carry the tenant in their headers (TenantTask runs them as it); the
shard-wide sync runs as the service.
"""

from __future__ import annotations

from celery import shared_task
from django.conf import settings

from tenant_app.schedules import actions
from tenantry_kernel.celery import transient_retries
from tenantry_kernel.events.models import prune_inbox


@shared_task(name="tenantry.schedules.nightly_activity_report", **transient_retries())
def nightly_activity_report(tz: str = actions.DEFAULT_TIMEZONE) -> int:
    """Yesterday's figures of the tenant into its DailyReport; the report's id."""
    return actions.record_daily_report(tz=tz).pk


@shared_task(name="tenantry.schedules.remind_pending_invitations", **transient_retries())
def remind_pending_invitations(tz: str = actions.DEFAULT_TIMEZONE) -> int:
    """Invitations reminded in this run."""
    return actions.remind_pending_invitations()


@shared_task(name="tenantry.schedules.prune_inbox", **transient_retries())
def prune_event_inbox(tz: str = actions.DEFAULT_TIMEZONE) -> int:
    """Handled event ids of this tenant's consumers older than EVENTS_INBOX_RETENTION_DAYS, deleted."""
    return prune_inbox(settings.EVENTS_INBOX_RETENTION_DAYS)


@shared_task(name="tenantry.schedules.sync_tenant_schedules", **transient_retries())
def sync_tenant_schedules() -> dict[str, int]:
    """Beat entries for every tenant this process serves (new tenants get theirs within one period)."""
    return actions.sync_shard_schedules()
