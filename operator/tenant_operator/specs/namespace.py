"""The tenant's Namespace, held to the restricted Pod Security Standard."""

from __future__ import annotations

from typing import Any

from tenant_operator.specs.common import RenderContext

NAMESPACE = ("v1", "Namespace")


def render_namespace(ctx: RenderContext) -> dict[str, Any]:
    meta = ctx.metadata(ctx.namespace_name, "namespace", namespaced=False)
    meta["labels"]["pod-security.kubernetes.io/enforce"] = "restricted"
    return {"apiVersion": NAMESPACE[0], "kind": NAMESPACE[1], "metadata": meta}
