"""The PodDisruptionBudget that keeps one web pod up through voluntary disruptions (two replicas or more)."""

from __future__ import annotations

from typing import Any

from tenant_operator.specs.common import RenderContext

POD_DISRUPTION_BUDGET = ("policy/v1", "PodDisruptionBudget")


def render_pod_disruption_budget(ctx: RenderContext) -> dict[str, Any]:
    return {
        "apiVersion": POD_DISRUPTION_BUDGET[0],
        "kind": POD_DISRUPTION_BUDGET[1],
        "metadata": ctx.metadata("web", "web"),
        "spec": {"minAvailable": 1, "selector": {"matchLabels": ctx.selector("web")}},
    }
