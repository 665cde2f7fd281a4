"""Who may publish which event for which tenant: checked by every consumer from what the broker guarantees.

A consumer believes nothing a message says about itself. It believes two facts RabbitMQ
enforces: the AMQP `user_id` property (the broker refuses a publish whose `user_id` is not the
connection's user) and the routing key, which a tenant's broker user may only publish under its
own slug (topic permissions, `tenantry_kernel.provisioning.broker`). From them:

- The tenant of an event is its routing key's first word; an envelope claiming another tenant,
  or another type than the routing key's, is forged.
- Platform types (the registry's producer `control-plane`: members, tenant lifecycle, billing) are
  accepted only from the platform's publishers (`EVENTS_PLATFORM_PUBLISHERS`).
- Tenant types (producer `tenant-app`: catalog, orders, usage) are accepted from the tenant's own
  broker user, or from a shard relay (`EVENTS_RELAY_PUBLISHERS`), which publishes a tenant schema's
  outbox only under the tenant that schema belongs to (`tenantry_kernel.events.relay`).
- A message without a validated `user_id` is forged.

A message a consumer sends back to its own retry queue arrives again through the default
exchange, which only the platform's consumers may publish to (publishers and tenants may write
to `tenantry.events` only); it carries the provenance the consumer checked the first time in
headers of its own (`PUBLISHER_HEADER`, `ROUTING_KEY_HEADER`), the only place those headers are
believed. See docs/security.md for the whole model.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from tenantry_kernel.events.envelope import Event
from tenantry_kernel.events.registry import PLATFORM_PRODUCER, TENANT_PRODUCER, registry
from tenantry_kernel.provisioning.naming import broker_user

FORGED_PRODUCER = "forged_producer"
# Set by a consumer on the copy it sends to its own retry queue; stripped from anything else.
PUBLISHER_HEADER = "x-tenantry-publisher"
ROUTING_KEY_HEADER = "x-tenantry-routing-key"
# Through which exchange a message reached the consumer's queue ("" for the default exchange).
_DEFAULT_EXCHANGE = ""


class ForgedEvent(Exception):
    """The broker's facts contradict what the event claims; the message says which."""

    def __init__(self, detail: str) -> None:
        super().__init__(f"{FORGED_PRODUCER}: {detail}")
        self.detail = detail


@dataclass(frozen=True)
class Publishers:
    """The broker users the platform vouches for: its own (platform types) and its shard relays (tenant types)."""

    platform: frozenset[str]
    relays: frozenset[str]

    @classmethod
    def of(cls, platform: Iterable[str], relays: Iterable[str]) -> Publishers:
        return cls(frozenset(name for name in platform if name), frozenset(name for name in relays if name))

    @classmethod
    def from_settings(cls) -> Publishers:
        from django.conf import settings

        return cls.of(settings.EVENTS_PLATFORM_PUBLISHERS, settings.EVENTS_RELAY_PUBLISHERS)


@dataclass(frozen=True)
class Provenance:
    """What the broker vouches for about one delivery: who published it, under which routing key."""

    publisher: str
    routing_key: str

    @classmethod
    def of_delivery(
        cls, exchange: str, routing_key: str, properties: Mapping[str, Any], headers: Mapping[str, Any]
    ) -> Provenance:
        """From the delivery's facts; for a retry (the default exchange), from the consumer's own headers."""
        if exchange == _DEFAULT_EXCHANGE:
            return cls(str(headers.get(PUBLISHER_HEADER) or ""), str(headers.get(ROUTING_KEY_HEADER) or ""))
        return cls(str(properties.get("user_id") or ""), routing_key)

    def headers(self) -> dict[str, str]:
        """The headers that carry this provenance through the consumer's own retry queue."""
        return {PUBLISHER_HEADER: self.publisher, ROUTING_KEY_HEADER: self.routing_key}


def verify(event: Event, provenance: Provenance, publishers: Publishers) -> None:
    """Raise ForgedEvent unless the broker's facts back the event's claims (see the module docstring)."""
    publisher = provenance.publisher
    if not publisher:
        raise ForgedEvent("the message carries no validated publisher (the AMQP user_id property)")
    tenant, _, type_name = provenance.routing_key.partition(".")
    if tenant != event.tenant:
        raise ForgedEvent(f"published under tenant {tenant!r} but claims tenant {event.tenant!r}")
    if type_name != event.type:
        raise ForgedEvent(f"published as {type_name!r} but claims to be {event.type!r}")
    producer = registry.get(event.type).producer
    if producer == PLATFORM_PRODUCER:
        if publisher not in publishers.platform:
            raise ForgedEvent(f"{event.type} comes from the platform only, not from {publisher!r}")
    elif producer == TENANT_PRODUCER:
        if publisher != broker_user(event.tenant) and publisher not in publishers.relays:
            raise ForgedEvent(
                f"{event.type} of {event.tenant!r} comes from that tenant or a shard relay, not {publisher!r}"
            )
    else:  # the registry refuses other producers at import; kept for a reader's certainty
        raise ForgedEvent(f"{event.type} has no known producer")
