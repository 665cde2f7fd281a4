"""Member events from the control plane, mirrored into each tenant's accounts.

One queue per shard (`tenant-app.<shard>.members`), bound to the `member.*` events of every
tenant routed on the shard (re-read every 30 s); each event is handled in its tenant's
schema and role, with its id in that tenant's inbox.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings

from tenant_app.accounts import actions
from tenant_app.tenancy.context import as_tenant
from tenant_app.tenancy.routes import tenants_on_shard
from tenantry_kernel.events.consumer import PermanentFailure, Subscription
from tenantry_kernel.events.envelope import Event


def on_member_invited(event: Event) -> None:
    _sync(event, full_name=event.data.get("name", ""))


def on_member_role_changed(event: Event) -> None:
    _sync(event)


def _sync(event: Event, full_name: str = "") -> None:
    try:
        actions.sync_member(event.data["email"], role_slug=event.data["role"], full_name=full_name)
    except actions.UnknownRole as error:
        raise PermanentFailure(f"{event.type} for {event.tenant}: {error}") from error


def on_member_removed(event: Event) -> None:
    actions.remove_member(event.data["email"])


def served_tenants() -> Iterable[str]:
    if settings.TENANCY_MODE == "dedicated":
        return [settings.TENANT_SLUG]
    return sorted(tenants_on_shard())


def member_subscription(name: str = "") -> Subscription:
    return Subscription(
        name=name or f"tenant-app.{settings.EVENTS_CONSUMER_GROUP}.members",
        bindings=lambda: [f"{tenant}.member.*" for tenant in served_tenants()],
        handlers={
            "member.invited": on_member_invited,
            "member.role_changed": on_member_role_changed,
            "member.removed": on_member_removed,
        },
        scope=lambda event: as_tenant(event.tenant),
    )
