"""The ServiceAccount the tenant's pods run as, with no API token mounted."""

from __future__ import annotations

from typing import Any

from tenant_operator.specs.common import RenderContext

SERVICE_ACCOUNT = ("v1", "ServiceAccount")
SERVICE_ACCOUNT_NAME = "tenant-app"


def render_service_account(ctx: RenderContext) -> dict[str, Any]:
    return {
        "apiVersion": SERVICE_ACCOUNT[0],
        "kind": SERVICE_ACCOUNT[1],
        "metadata": ctx.metadata(SERVICE_ACCOUNT_NAME, "config"),
        "automountServiceAccountToken": False,
    }
