"""The CloudEvents envelope and the event type registry (no servers needed)."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime

import pytest

from tenantry_kernel.events.envelope import EnvelopeError, Event
from tenantry_kernel.events.registry import EventType, InvalidPayload, Registry, UnknownEventType, registry


def product_published() -> Event:
    return Event(
        type="catalog.product.published",
        tenant="acme",
        data={"product_id": "7", "name": "Tea", "description": "", "price": {"amount": "4.50", "currency": "EUR"},
              "published": True},
        source="/tenant-app",
        subject="product/7",
        time=datetime(2026, 11, 26, 12, 0, tzinfo=UTC),
        dataschema="urn:tenantry:event:catalog.product.published:v1",
        traceparent="00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
    )  # fmt: skip


def test_an_event_round_trips_through_structured_json_and_routes_by_tenant_and_type() -> None:
    event = product_published()
    body = json.loads(event.to_json())

    assert body["specversion"] == "1.0"
    assert body["time"] == "2026-11-26T12:00:00Z"
    assert body["tenant"] == "acme"
    assert Event.from_json(event.to_json()) == event
    assert event.routing_key == "acme.catalog.product.published"


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"\xff", "not JSON"),
        (b"[]", "must be a JSON object"),
        (b'{"specversion": "1.0", "id": "1", "source": "/x", "type": "a.b"}', "missing or empty attribute(s): tenant"),
        (b'{"specversion": "0.3", "id": "1", "source": "/x", "type": "a.b", "tenant": "acme"}', "specversion"),
        (b'{"specversion": "1.0", "id": "1", "source": "/x", "type": "a.b", "tenant": "Acme.*"}', "not a tenant slug"),
        (b'{"specversion": "1.0", "id": "1", "source": "/x", "type": "a.b", "tenant": "acme", "data": 3}', "data must"),
        (b'{"specversion": "1.0", "id": "1", "source": "/x", "type": "a.b", "tenant": "acme", "time": "noon"}', "time"),
    ],
)
def test_a_message_that_is_not_a_tenantry_cloudevent_is_refused_with_the_reason(body: bytes, reason: str) -> None:
    with pytest.raises(EnvelopeError, match=re.escape(reason)):
        Event.from_json(body)


def test_payloads_are_checked_against_their_types_schema() -> None:
    member_invited = registry.get("member.invited")
    member_invited.validate({"email": "ada@example.com", "role": "admin"})

    with pytest.raises(InvalidPayload) as invalid:
        member_invited.validate({"email": "ada@example.com", "role": "admin", "password": "x"})
    assert invalid.value.errors == {"": "Additional properties are not allowed ('password' was unexpected)"}
    bad_price = {"amount": 4.5, "currency": "eur"}
    with pytest.raises(InvalidPayload) as invalid:
        registry.get("catalog.product.published").validate({**product_published().data, "price": bad_price})
    assert set(invalid.value.errors) == {"price.amount", "price.currency"}
    with pytest.raises(UnknownEventType):
        registry.get("catalog.product.teleported")


def test_the_registry_refuses_bad_names_duplicates_and_invalid_schemas() -> None:
    own = Registry()
    own.register(EventType("area.thing_happened", 1, "ok", {"type": "object"}, producer="tenant-app"))
    with pytest.raises(ValueError, match="registered twice"):
        own.register(EventType("area.thing_happened", 2, "again", {"type": "object"}, producer="tenant-app"))
    with pytest.raises(ValueError, match=r"<area>\.<event>"):
        own.register(EventType("NoArea", 1, "bad", {"type": "object"}, producer="tenant-app"))
    with pytest.raises(Exception, match="is not valid under any of the given schemas"):
        own.register(EventType("area.bad_schema", 1, "bad", {"type": "thing"}, producer="tenant-app"))


def test_the_cross_service_event_types_are_registered_with_their_ends() -> None:
    names = {event_type.name: event_type for event_type in registry}
    assert {"member.invited", "member.role_changed", "member.removed"} <= set(names)
    assert names["member.invited"].consumers == ("tenant-app",)
    assert names["catalog.product.published"].producer == "tenant-app"
    assert names["usage.reported"].consumers == ("control-plane",)
    assert names["usage.reported"].dataschema == "urn:tenantry:event:usage.reported:v1"
