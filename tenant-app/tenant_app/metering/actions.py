"""Report a store's usage for one period: a `UsageReport` row and a `usage.reported` event, atomically."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone

from tenant_app.metering.models import Metric, UsageReport
from tenant_app.metering.selectors import measure
from tenantry_kernel.events.outbox import emit


def last_full_hour(now: dt.datetime | None = None) -> tuple[dt.datetime, dt.datetime]:
    end = (now or timezone.now()).astimezone(dt.UTC).replace(minute=0, second=0, microsecond=0)
    return end - dt.timedelta(hours=1), end


def _timestamp(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def report_usage(start: dt.datetime, end: dt.datetime) -> list[UsageReport]:
    """Report every metric for [start, end) that was not reported yet; returns the new reports.

    Idempotent: the unique (metric, period_start) row makes a second run (a retried task, two
    beats) report nothing, and the event is emitted only with a row that commits.
    """
    if end <= start:
        raise ValueError(f"the period must end after it starts ({start} .. {end})")
    reported = []
    for metric in Metric:
        try:
            with transaction.atomic():
                quantity = measure(metric, start, end)
                event = emit(
                    "usage.reported",
                    {"metric": str(metric), "quantity": quantity, "period_start": _timestamp(start),
                     "period_end": _timestamp(end)},
                    subject=f"usage/{metric}",
                )  # fmt: skip
                # Refused for a period reported already, which rolls the event back with it.
                report = UsageReport.objects.create(
                    metric=metric, period_start=start, period_end=end, quantity=quantity, event_id=event.id
                )
        except IntegrityError:
            continue  # reported already, by an earlier run
        reported.append(report)
    return reported
