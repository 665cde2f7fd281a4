"""Read models of the billing ledger, projected from its events (rebuildable with `replay`)."""

from __future__ import annotations

from django.db import models


class LedgerBalance(models.Model):
    """What a tenant owes in one currency: charges minus payments and credits."""

    tenant = models.CharField(max_length=63)
    currency = models.CharField(max_length=3)
    balance = models.DecimalField(max_digits=14, decimal_places=4, default=0)
    version = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["tenant", "currency"], name="billing_balance_per_currency")]

    def __str__(self) -> str:
        return f"{self.tenant} {self.balance} {self.currency}"


class MeteredUsage(models.Model):
    """A tenant's metered consumption per metric, summed over the usage events received."""

    tenant = models.CharField(max_length=63)
    metric = models.CharField(max_length=40)
    quantity = models.BigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["tenant", "metric"], name="billing_usage_per_metric")]

    def __str__(self) -> str:
        return f"{self.tenant} {self.metric}={self.quantity}"
