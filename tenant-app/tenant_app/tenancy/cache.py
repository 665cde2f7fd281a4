"""Cache keys carry the tenant, so one tenant's cached data is never another's."""

from __future__ import annotations

from tenantry_kernel.context import current_tenant


def make_key(key: str, key_prefix: str, version: int) -> str:
    return f"{key_prefix}:{current_tenant() or '-'}:{version}:{key}"
