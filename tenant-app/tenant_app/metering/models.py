"""One row per metric and period reported, so a period is reported once however often the task runs."""

from __future__ import annotations

from django.db import models


class Metric(models.TextChoices):
    # Names as in the `usage.reported` schema (tenantry_kernel.events.registry).
    ORDERS = "orders", "Orders placed in the period"
    MEMBERS = "members", "Active members at the end of the period"


class UsageReport(models.Model):
    metric = models.CharField(max_length=20, choices=Metric.choices)
    period_start = models.DateTimeField()
    period_end = models.DateTimeField()
    quantity = models.BigIntegerField()
    event_id = models.UUIDField()
    reported_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["metric", "period_start"], name="metering_once_per_period"),
            models.CheckConstraint(condition=models.Q(period_end__gt=models.F("period_start")), name="metering_period"),
        ]

    def __str__(self) -> str:
        return f"{self.metric}={self.quantity} {self.period_start:%Y-%m-%d %H:%M}"
