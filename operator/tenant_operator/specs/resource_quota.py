"""The ResourceQuota that caps the tenant's namespace at its plan."""

from __future__ import annotations

from typing import Any

from tenant_operator.specs.common import RenderContext

RESOURCE_QUOTA = ("v1", "ResourceQuota")


def render_resource_quota(ctx: RenderContext) -> dict[str, Any]:
    plan = ctx.settings.plan
    return {
        "apiVersion": RESOURCE_QUOTA[0],
        "kind": RESOURCE_QUOTA[1],
        "metadata": ctx.metadata("tenant-quota", "namespace"),
        "spec": {
            "hard": {
                "requests.cpu": plan.quota_cpu,
                "limits.cpu": plan.quota_cpu,
                "requests.memory": plan.quota_memory,
                "limits.memory": plan.quota_memory,
                "pods": str(plan.quota_pods),
                "requests.storage": plan.storage,
            }
        },
    }
