"""The quantities metered, read from the store's own records."""

from __future__ import annotations

import datetime as dt

from tenant_app.accounts.models import User
from tenant_app.metering.models import Metric
from tenant_app.orders.models import OrderSummary


def measure(metric: str, start: dt.datetime, end: dt.datetime) -> int:
    if metric == Metric.ORDERS:
        return OrderSummary.objects.filter(placed_at__gte=start, placed_at__lt=end).count()
    if metric == Metric.MEMBERS:
        # Staff of the store (everyone with a role other than customer), as billed per seat.
        return User.objects.filter(is_active=True, role__isnull=False).exclude(role__slug="customer").count()
    raise ValueError(f"unknown metric {metric!r}")
