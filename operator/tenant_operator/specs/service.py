"""The web Service in front of the web pods."""

from __future__ import annotations

from typing import Any

from tenant_operator.specs.common import WEB_PORT, RenderContext

SERVICE = ("v1", "Service")


def render_service(ctx: RenderContext) -> dict[str, Any]:
    return {
        "apiVersion": SERVICE[0],
        "kind": SERVICE[1],
        "metadata": ctx.metadata("web", "web"),
        "spec": {
            "type": "ClusterIP",
            "selector": ctx.selector("web"),
            "ports": [{"name": "http", "port": 80, "targetPort": WEB_PORT, "protocol": "TCP"}],
        },
    }
