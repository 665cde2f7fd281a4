"""The hourly usage report, run per tenant by Beat (tenant_app.schedules) as that tenant."""

from __future__ import annotations

from celery import shared_task

from tenant_app.metering.actions import last_full_hour, report_usage
from tenantry_kernel.celery import transient_retries


@shared_task(name="tenantry.metering.report_usage", **transient_retries())
def report_last_hour(tz: str = "UTC") -> int:
    """Reports made; `tz` comes with every tenant schedule and does not matter here (periods are UTC hours)."""
    start, end = last_full_hour()
    return len(report_usage(start, end))
