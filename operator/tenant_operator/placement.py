"""Placement of a new tenant on a database shard: least-loaded Ready shard of its region."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class ShardView:
    name: str
    region: str
    max_tenants: int
    cordoned: bool
    ready: bool
    tenant_count: int


class NoShardAvailable(Exception):
    """No shard of the region can take the tenant; the message says why."""


def choose_shard(shards: Iterable[ShardView], region: str) -> ShardView:
    """The Ready, uncordoned shard of `region` with room and the fewest tenants (ties: by name)."""
    shards = list(shards)
    in_region = [shard for shard in shards if shard.region == region]
    if not in_region:
        raise NoShardAvailable(f"no DatabaseShard in region {region!r}")
    candidates = [s for s in in_region if s.ready and not s.cordoned and s.tenant_count < s.max_tenants]
    if not candidates:
        states = ", ".join(
            f"{s.name} ({'cordoned' if s.cordoned else 'not ready' if not s.ready else 'full'})" for s in in_region
        )
        raise NoShardAvailable(f"no shard of region {region!r} can take a tenant: {states}")
    return min(candidates, key=lambda shard: (shard.tenant_count / shard.max_tenants, shard.tenant_count, shard.name))
