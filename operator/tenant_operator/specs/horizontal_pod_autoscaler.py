"""The HorizontalPodAutoscaler of the web Deployment (only while autoscaled)."""

from __future__ import annotations

from typing import Any

from tenant_operator.specs.common import RenderContext
from tenant_operator.specs.deployment import DEPLOYMENT

HORIZONTAL_POD_AUTOSCALER = ("autoscaling/v2", "HorizontalPodAutoscaler")
HPA_CPU_UTILIZATION = 70


def render_horizontal_pod_autoscaler(ctx: RenderContext) -> dict[str, Any]:
    return {
        "apiVersion": HORIZONTAL_POD_AUTOSCALER[0],
        "kind": HORIZONTAL_POD_AUTOSCALER[1],
        "metadata": ctx.metadata("web", "web"),
        "spec": {
            "scaleTargetRef": {"apiVersion": DEPLOYMENT[0], "kind": DEPLOYMENT[1], "name": "web"},
            "minReplicas": ctx.settings.replicas_min,
            "maxReplicas": ctx.settings.replicas_max,
            "metrics": [
                {
                    "type": "Resource",
                    "resource": {
                        "name": "cpu",
                        "target": {"type": "Utilization", "averageUtilization": HPA_CPU_UTILIZATION},
                    },
                }
            ],
        },
    }
