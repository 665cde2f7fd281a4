"""Operator metrics: reconciles, failures, durations, and tenants by Ready condition."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from prometheus_client import REGISTRY, Counter, Histogram
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

RECONCILES = Counter(
    "tenantry_operator_reconciles_total", "Reconciles by resource kind and result.", ["kind", "result"]
)
RECONCILE_DURATION = Histogram(
    "tenantry_operator_reconcile_duration_seconds",
    "Time spent in one reconcile, by resource kind.",
    ["kind"],
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60),
)


class TenantsByReady(Collector):
    """`tenantry_operator_tenants{ready="True|False"}` from the operator's last view of each tenant."""

    def __init__(self, source: Callable[[], dict[str, str]]) -> None:
        self.source = source

    def collect(self) -> Iterator[GaugeMetricFamily]:
        family = GaugeMetricFamily("tenantry_operator_tenants", "Tenants by their Ready condition.", labels=["ready"])
        counts = {"True": 0, "False": 0}
        for value in self.source().values():
            counts[value] = counts.get(value, 0) + 1
        for ready, count in sorted(counts.items()):
            family.add_metric([ready], count)
        yield family


_registered: TenantsByReady | None = None


def register_tenant_gauge(source: Callable[[], dict[str, str]]) -> None:
    global _registered
    if _registered is not None:
        _registered.source = source
        return
    _registered = TenantsByReady(source)
    REGISTRY.register(_registered)
