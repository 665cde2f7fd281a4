"""The Secrets the reconciler fills for a tenant (database, broker, Django); their data comes from it."""

from __future__ import annotations

import base64
from typing import Any

from tenant_operator.specs.common import MANAGER, TENANT_LABEL, TenantRef, owner_reference

SECRET = ("v1", "Secret")


def render_tenant_secret(tenant: TenantRef, namespace: str, name: str, data: dict[str, str]) -> dict[str, Any]:
    return {
        "apiVersion": SECRET[0],
        "kind": SECRET[1],
        "type": "Opaque",
        "metadata": {
            "name": name,
            "namespace": namespace,
            "labels": {TENANT_LABEL: tenant.name, "app.kubernetes.io/managed-by": MANAGER},
            "ownerReferences": [owner_reference(tenant)],
        },
        "data": {key: base64.b64encode(value.encode()).decode() for key, value in sorted(data.items())},
    }
