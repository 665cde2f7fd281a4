"""The catalog's own consumer of its outbox events: the storefront cache drops pages of superseded versions.

One queue per consumer group (`tenant-app.<group>.storefront-cache`), bound to the `catalog.*` events of every tenant
this deployment serves; each event is handled in its tenant's context (cache keys carry the tenant). Handling an
event twice, late or out of order deletes nothing that is still current: only keys of versions before the
database's current one go (tenant_app.catalog.cache explains why correctness never waits for this).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings

from tenant_app.catalog import cache, events
from tenant_app.tenancy.context import as_tenant
from tenant_app.tenancy.routes import tenants_on_shard
from tenantry_kernel.events.consumer import Subscription
from tenantry_kernel.events.envelope import Event

# Every change a shopper could see: products' own events, and catalog.changed for the rest.
CACHE_EVENTS = (
    events.PRODUCT_CREATED,
    events.PRODUCT_UPDATED,
    events.PRODUCT_PUBLISHED,
    events.PRODUCT_UNPUBLISHED,
    events.CATALOG_CHANGED,
)


def on_catalog_changed(event: Event) -> None:
    cache.drop_superseded()


def served_tenants() -> Iterable[str]:
    if settings.TENANCY_MODE == "dedicated":
        return [settings.TENANT_SLUG]
    return sorted(tenants_on_shard())


def cache_subscription(name: str = "") -> Subscription:
    return Subscription(
        name=name or f"tenant-app.{settings.EVENTS_CONSUMER_GROUP}.storefront-cache",
        bindings=lambda: [f"{tenant}.catalog.#" for tenant in served_tenants()],
        handlers={event_type: on_catalog_changed for event_type in CACHE_EVENTS},
        scope=lambda event: as_tenant(event.tenant),
    )
