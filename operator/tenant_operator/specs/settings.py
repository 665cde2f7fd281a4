"""A Tenant spec read for rendering: its defaults applied and its replicas clamped to the plan."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tenantry_kernel.provisioning.plans import Plan, plan_for


@dataclass(frozen=True)
class DedicatedSettings:
    """A Tenant spec with its defaults applied and its replicas clamped to the plan."""

    plan: Plan
    version: str
    replicas_min: int
    replicas_max: int
    suspended: bool
    domains: tuple[str, ...]
    features: tuple[tuple[str, bool], ...]

    @property
    def autoscaled(self) -> bool:
        return not self.suspended and self.replicas_min < self.replicas_max

    @property
    def disruption_budget(self) -> bool:
        return not self.suspended and self.replicas_min >= 2


def resolve_settings(spec: dict[str, Any]) -> DedicatedSettings:
    """Apply the defaults: plan free, version "latest", replicas from the plan unless the spec narrows them."""
    plan = plan_for(str(spec.get("plan") or "free"))
    app = spec.get("app") or {}
    replicas = app.get("replicas") or {}
    # The spec may ask for fewer or more replicas than the plan's defaults, never more than it allows.
    replicas_max = min(int(replicas.get("max", plan.replicas_max)), plan.replicas_max)
    replicas_min = min(int(replicas.get("min", min(plan.replicas_min, replicas_max))), plan.replicas_max)
    replicas_min = max(replicas_min, 1)
    replicas_max = max(replicas_max, replicas_min)
    domains = tuple(str(d).strip().rstrip(".").lower() for d in spec.get("domains") or ())
    features = tuple(sorted((str(k), bool(v)) for k, v in (spec.get("features") or {}).items()))
    return DedicatedSettings(
        plan=plan,
        version=str(app.get("version") or "latest"),
        replicas_min=replicas_min,
        replicas_max=replicas_max,
        suspended=bool(spec.get("suspended", False)),
        domains=domains,
        features=features,
    )


def require_dedicated(spec: dict[str, Any]) -> None:
    tier = spec.get("tier", "dedicated")
    if tier != "dedicated":
        raise ValueError(
            f"only dedicated-tier tenants get their own Kubernetes objects; this tenant's tier is {tier!r}"
        )
