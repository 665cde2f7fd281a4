"""Channel-layer group names carry the tenant, so a subscriber can only ever join its own tenant's groups."""

from __future__ import annotations

import re

from tenantry_kernel.context import current_tenant

# Channels accepts ASCII letters, digits, hyphens, underscores and periods, under 100 characters.
_PART = re.compile(r"^[A-Za-z0-9_-]{1,40}$")


def tenant_group(*parts: str | int) -> str:
    """The group `t.<tenant>.<part>...` of the current tenant, e.g. tenant_group("user", 42)."""
    tenant = current_tenant()
    if not tenant:
        raise PermissionError("channel groups exist only inside a tenant's request or task")
    names = [str(part) for part in parts]
    if not names or not all(_PART.match(name) for name in names):
        raise ValueError(f"invalid group name parts {names!r}")
    group = ".".join(["t", tenant, *names])
    if len(group) >= 100:
        raise ValueError(f"group name {group!r} is too long for the channel layer")
    return group


def belongs_to_current_tenant(group: str) -> bool:
    tenant = current_tenant()
    return bool(tenant) and group.startswith(f"t.{tenant}.")
