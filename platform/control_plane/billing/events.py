"""Events the billing ledger consumes: the tenant apps' usage reports."""

from __future__ import annotations

from control_plane.billing.actions import ledger
from tenantry_kernel.events.consumer import Subscription, event_handlers
from tenantry_kernel.events.envelope import Event


def on_usage_reported(event: Event) -> None:
    ledger.record_usage(
        event.tenant,
        event.data["metric"],
        event.data["quantity"],
        source_event=event.id,
        period_end=event.data["period_end"],
    )


# Checked against the event registry as this module loads.
HANDLERS = event_handlers(__name__, {"usage.reported": on_usage_reported})


def usage_subscription() -> Subscription:
    """Queue `control-plane.usage`: every tenant's `usage.reported`."""
    return Subscription(
        name="control-plane.usage",
        bindings=["*.usage.reported"],
        handlers=HANDLERS,
    )
