"""The event trust model as rules: what the broker vouches for against what an event claims (no servers)."""

from __future__ import annotations

import pytest

from tenantry_kernel.events.envelope import Event
from tenantry_kernel.events.registry import PLATFORM_PRODUCER, TENANT_PRODUCER, EventType, Registry, registry
from tenantry_kernel.events.relay import refusal
from tenantry_kernel.events.trust import (
    PUBLISHER_HEADER,
    ROUTING_KEY_HEADER,
    ForgedEvent,
    Provenance,
    Publishers,
    verify,
)
from tenantry_kernel.provisioning.naming import schema_name, tenant_of_schema

PUBLISHERS = Publishers.of(["tenantry-platform"], ["tenantry-relay"])
USAGE = {
    "metric": "orders",
    "quantity": 1,
    "period_start": "2026-11-01T00:00:00Z",
    "period_end": "2026-11-02T00:00:00Z",
}


def usage(tenant: str) -> Event:
    return Event("usage.reported", tenant, USAGE, source="/tenant-app")


def member(tenant: str) -> Event:
    return Event("member.invited", tenant, {"email": "a@example.com", "role": "owner"}, source="/control-plane")


def delivered(event: Event, publisher: str, routing_key: str = "") -> Provenance:
    """As a delivery through the events exchange brings it."""
    return Provenance.of_delivery("tenantry.events", routing_key or event.routing_key, {"user_id": publisher}, {})


@pytest.mark.parametrize(
    ("event", "publisher"),
    [
        (usage("alpha"), "tenant-alpha"),  # a store's own user, its own event
        (usage("alpha"), "tenantry-relay"),  # a shard relay, for any store
        (member("alpha"), "tenantry-platform"),  # the platform's own types
    ],
)
def test_events_backed_by_the_broker_are_believed(event: Event, publisher: str) -> None:
    verify(event, delivered(event, publisher), PUBLISHERS)


@pytest.mark.parametrize(
    ("event", "publisher", "routing_key", "reason"),
    [
        (usage("alpha"), "", "", "the message carries no validated publisher (the AMQP user_id property)"),
        (
            usage("bravo"),
            "tenant-alpha",
            "alpha.usage.reported",
            "published under tenant 'alpha' but claims tenant 'bravo'",
        ),
        (
            usage("bravo"),
            "tenant-alpha",
            "",
            "usage.reported of 'bravo' comes from that tenant or a shard relay, not 'tenant-alpha'",
        ),
        (member("alpha"), "tenant-alpha", "", "member.invited comes from the platform only, not from 'tenant-alpha'"),
        (
            member("alpha"),
            "tenantry-relay",
            "",
            "member.invited comes from the platform only, not from 'tenantry-relay'",
        ),
        (
            usage("alpha"),
            "tenantry-platform",
            "",
            "usage.reported of 'alpha' comes from that tenant or a shard relay, not 'tenantry-platform'",
        ),
        (
            usage("alpha"),
            "tenant-alpha",
            "alpha.member.invited",
            "published as 'member.invited' but claims to be 'usage.reported'",
        ),
        (usage("alpha"), "guest", "", "usage.reported of 'alpha' comes from that tenant or a shard relay, not 'guest'"),
    ],
)
def test_events_the_broker_does_not_back_are_forged(
    event: Event, publisher: str, routing_key: str, reason: str
) -> None:
    with pytest.raises(ForgedEvent) as forged:
        verify(event, delivered(event, publisher, routing_key), PUBLISHERS)
    assert str(forged.value) == f"forged_producer: {reason}"


def test_provenance_headers_count_only_on_the_consumers_own_retries() -> None:
    headers = {PUBLISHER_HEADER: "tenantry-platform", ROUTING_KEY_HEADER: "alpha.member.invited"}
    through_exchange = Provenance.of_delivery(
        "tenantry.events", "alpha.member.invited", {"user_id": "tenant-alpha"}, headers
    )
    back_from_retry = Provenance.of_delivery("", "test.members", {}, headers)

    assert through_exchange == Provenance("tenant-alpha", "alpha.member.invited")  # what a store wrote is ignored
    assert back_from_retry == Provenance("tenantry-platform", "alpha.member.invited")  # what the consumer wrote


@pytest.mark.parametrize(
    ("body", "routing_key", "reason"),
    [
        (usage("alpha").to_json().decode(), "alpha.usage.reported", None),
        (
            usage("bravo").to_json().decode(),
            "bravo.usage.reported",
            "forged_producer: the outbox of 'alpha' holds an event claiming tenant 'bravo'",
        ),
        (
            member("alpha").to_json().decode(),
            "alpha.member.invited",
            "forged_producer: member.invited comes from the platform only, never from a store's outbox",
        ),
        (
            usage("alpha").to_json().decode(),
            "alpha.member.invited",
            "forged_producer: routing key 'alpha.member.invited' does not match the event's type 'usage.reported'",
        ),
        ("[1, 2]", "alpha.usage.reported", "EnvelopeError: a CloudEvent must be a JSON object"),
    ],
)
def test_the_relay_refuses_rows_of_a_tenant_outbox_that_break_the_model(
    body: str, routing_key: str, reason: str | None
) -> None:
    assert refusal("alpha", routing_key, body) == reason


def test_a_schema_names_its_tenant_and_only_tenant_schemas_do() -> None:
    assert tenant_of_schema(schema_name("alpha-shop")) == "alpha-shop"
    assert tenant_of_schema("public") is None
    assert tenant_of_schema("tenantry_template") is None
    assert tenant_of_schema("t_x") is None  # too short to be a slug


def test_every_registered_type_has_a_producer_and_areas_belong_to_one() -> None:
    assert {event_type.producer for event_type in registry} == {PLATFORM_PRODUCER, TENANT_PRODUCER}
    assert set(registry.areas_of(PLATFORM_PRODUCER)).isdisjoint(registry.areas_of(TENANT_PRODUCER))
    with pytest.raises(ValueError, match="needs a producer"):
        Registry().register(EventType("thing.happened", 1, "x", {"type": "object"}))


def test_an_event_time_without_an_offset_is_not_an_event() -> None:
    body = usage("alpha").to_dict() | {"time": "2999-01-01T00:00:00"}
    with pytest.raises(ValueError, match="has no UTC offset"):
        Event.from_dict(body)


def test_an_envelope_nested_or_sized_beyond_reason_is_refused_before_it_is_parsed() -> None:
    deep = b'{"specversion": "1.0", "data": ' + b"[" * 5000 + b"]" * 5000 + b"}"
    with pytest.raises(ValueError, match="nested more than 32 levels deep"):
        Event.from_json(deep)
    with pytest.raises(ValueError, match="larger than 262144 bytes"):
        Event.from_json(b'{"data": "' + b"x" * 300_000 + b'"}')
