"""Events global search consumes: tenants' catalog publications and the tenant lifecycle."""

from __future__ import annotations

from control_plane.search import actions
from tenantry_kernel.events.consumer import Subscription, event_handlers
from tenantry_kernel.events.envelope import Event


def on_product_published(event: Event) -> None:
    actions.record_product(event.tenant, event.data, published=True, event_time=event.time)


def on_product_updated(event: Event) -> None:
    actions.record_product(event.tenant, event.data, published=event.data["published"], event_time=event.time)


def on_product_unpublished(event: Event) -> None:
    actions.withdraw_product(event.tenant, event.data["product_id"], event_time=event.time)


def on_tenant_state_changed(event: Event) -> None:
    actions.record_tenant_state(event.tenant, event.data, event_time=event.time)


# Checked against the event registry as this module loads; the queue is bound to exactly these types.
HANDLERS = event_handlers(
    __name__,
    {
        "catalog.product.published": on_product_published,
        "catalog.product.updated": on_product_updated,
        "catalog.product.unpublished": on_product_unpublished,
        "tenant.state_changed": on_tenant_state_changed,
    },
)


def search_subscription(name: str = "control-plane.search", tenant: str = "*") -> Subscription:
    """Queue `control-plane.search`: every tenant's product publications and lifecycle (`tenant`: one only)."""
    return Subscription(name=name, bindings=[f"{tenant}.{event_type}" for event_type in HANDLERS], handlers=HANDLERS)
