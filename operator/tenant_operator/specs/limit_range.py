"""The LimitRange that gives containers without their own bounds the plan's worker size."""

from __future__ import annotations

from typing import Any

from tenant_operator.specs.common import RenderContext

LIMIT_RANGE = ("v1", "LimitRange")


def render_limit_range(ctx: RenderContext) -> dict[str, Any]:
    worker = ctx.settings.plan.worker
    return {
        "apiVersion": LIMIT_RANGE[0],
        "kind": LIMIT_RANGE[1],
        "metadata": ctx.metadata("tenant-limits", "namespace"),
        "spec": {
            "limits": [
                {
                    "type": "Container",
                    "default": {"cpu": worker.cpu_limit, "memory": worker.memory_limit},
                    "defaultRequest": {"cpu": worker.cpu_request, "memory": worker.memory_request},
                }
            ]
        },
    }
