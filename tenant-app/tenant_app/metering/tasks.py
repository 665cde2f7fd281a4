"""The hourly usage report, run per tenant by Beat (tenant_app.schedules) as that tenant."""

from __future__ import annotations

from celery import shared_task

from tenant_app.metering.actions import last_full_hour, report_usage


@shared_task(name="tenantry.metering.report_usage", acks_late=True)
def report_last_hour() -> int:
    start, end = last_full_hour()
    return len(report_usage(start, end))
