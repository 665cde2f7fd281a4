"""The billing account aggregate (stream `billing-<tenant>`) and its projection."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import F
from django.utils import timezone

from control_plane.billing.models import DailySpend, DailyUsage, LedgerBalance, MeteredUsage
from tenantry_kernel.events.store import Aggregate, Handler, Projection, RecordedEvent

# Each entry's effect on the balance: charges add, payments and credits subtract.
_SIGN = {"billing.charged": 1, "billing.payment_received": -1, "billing.credited": -1}


class BillingAccount(Aggregate):
    stream_prefix = "billing"
    snapshot_every = 50

    def __init__(self, aggregate_id: str) -> None:
        super().__init__(aggregate_id)
        self.balances: dict[str, Decimal] = {}
        self.usage: dict[str, int] = {}

    def apply(self, type_name: str, data: dict[str, Any]) -> None:
        if type_name == "billing.usage_recorded":
            self.usage[data["metric"]] = self.usage.get(data["metric"], 0) + data["quantity"]
        elif type_name in _SIGN:
            amount = data["amount"]
            currency = amount["currency"]
            self.balances[currency] = self.balances.get(currency, Decimal(0)) + _SIGN[type_name] * Decimal(
                amount["amount"]
            )

    def snapshot(self) -> dict[str, Any]:
        return {"balances": {c: str(v) for c, v in self.balances.items()}, "usage": dict(self.usage)}

    def restore(self, state: dict[str, Any]) -> None:
        self.balances = {c: Decimal(v) for c, v in state["balances"].items()}
        self.usage = {m: int(q) for m, q in state["usage"].items()}


def _tenant(event: RecordedEvent) -> str:
    return event.stream_id.removeprefix(f"{BillingAccount.stream_prefix}-")


def day_recorded(recorded_at: datetime | None) -> date:
    """The UTC day of an entry (charges and payments count on the day they entered the ledger)."""
    return (recorded_at or timezone.now()).astimezone(UTC).date()


def usage_day(data: dict[str, Any], recorded_at: datetime | None) -> date:
    """The UTC day a usage report belongs to: that of the last instant of its period (an hour ending at
    midnight counts for the day before); the day it was recorded when the period end is unreadable."""
    try:
        period_end = datetime.fromisoformat(data["period_end"])
    except (KeyError, TypeError, ValueError):
        return day_recorded(recorded_at)
    if period_end.tzinfo is None:
        period_end = period_end.replace(tzinfo=UTC)
    return (period_end.astimezone(UTC) - timedelta(microseconds=1)).date()


class LedgerProjection(Projection):
    stream_prefix = f"{BillingAccount.stream_prefix}-"

    def handlers(self) -> dict[str, Handler]:
        return {
            "billing.usage_recorded": self._usage,
            **dict.fromkeys(_SIGN, self._money),
        }

    def reset(self) -> None:
        LedgerBalance.objects.all().delete()
        MeteredUsage.objects.all().delete()
        DailyUsage.objects.all().delete()
        DailySpend.objects.all().delete()

    def _usage(self, event: RecordedEvent) -> None:
        usage, _ = MeteredUsage.objects.get_or_create(tenant=_tenant(event), metric=event.data["metric"])
        MeteredUsage.objects.filter(pk=usage.pk).update(quantity=F("quantity") + event.data["quantity"])
        daily, _ = DailyUsage.objects.get_or_create(
            tenant=_tenant(event), day=usage_day(event.data, event.recorded_at), metric=event.data["metric"]
        )
        DailyUsage.objects.filter(pk=daily.pk).update(quantity=F("quantity") + event.data["quantity"])

    def _money(self, event: RecordedEvent) -> None:
        amount = event.data["amount"]
        balance, _ = LedgerBalance.objects.get_or_create(tenant=_tenant(event), currency=amount["currency"])
        LedgerBalance.objects.filter(pk=balance.pk).update(
            balance=F("balance") + _SIGN[event.type] * Decimal(amount["amount"]), version=event.version
        )
        daily, _ = DailySpend.objects.get_or_create(
            tenant=_tenant(event), day=day_recorded(event.recorded_at), currency=amount["currency"]
        )
        column = "charged" if event.type == "billing.charged" else "paid"
        DailySpend.objects.filter(pk=daily.pk).update(**{column: F(column) + Decimal(amount["amount"])})
