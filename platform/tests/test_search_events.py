"""Events → RabbitMQ → the `search` consumer → search results, on the real PostgreSQL and RabbitMQ.

The catalog events are published here as a shard relay publishes them, with the tenant app's
payloads (the schemas in the event registry check them); the tenant's lifecycle comes from the
control plane's own transition action, through its outbox and its relay (the platform's publisher).
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from typing import Any

import kombu
import pytest
from django.utils import timezone

from control_plane.search import selectors
from control_plane.search.backends.base import SearchQuery
from control_plane.search.events import search_subscription
from control_plane.search.models import ProductEntry, TenantEntry
from control_plane.tenants.actions.lifecycle import transition
from control_plane.tenants.models import Tenant
from tenantry_kernel.events.consumer import EventConsumer, Subscription
from tenantry_kernel.events.envelope import Event
from tenantry_kernel.events.models import InboxEvent
from tenantry_kernel.events.registry import registry
from tenantry_kernel.events.relay import Relay
from tenantry_kernel.events.settings import database_dsn
from tenantry_kernel.testing import wait_until
from tenantry_kernel.testing.events import (
    EventPublishers,
    delete_queues,
    ensure_events_exchange,
    relay_once,
    running_consumer,
    subscription_queues,
)

pytestmark = pytest.mark.django_db(transaction=True)

BROKER_URL = "amqp://guest:guest@127.0.0.1:5672/tenantry"


@pytest.fixture
def slug() -> str:
    return f"store-{secrets.token_hex(4)}"


@pytest.fixture
def subscription(slug: str, publishers: EventPublishers) -> Iterator[Subscription]:
    """The search consumer's handlers on a private queue bound to this test's tenant only."""
    ensure_events_exchange()
    made = search_subscription(name=f"test.search.{secrets.token_hex(4)}", tenant=slug)
    with kombu.Connection(BROKER_URL) as conn:
        EventConsumer(made, BROKER_URL, publishers=publishers.trusted).declare(conn.channel())
    yield made
    delete_queues(BROKER_URL, subscription_queues(made))


def publish_as_relay(publishers: EventPublishers, event: Event) -> Event:
    with kombu.Connection(publishers.relay_url) as conn:
        kombu.Producer(conn).publish(event.to_json(), exchange="tenantry.events", routing_key=event.routing_key,
                                     serializer=None, user_id=publishers.relay_user)  # fmt: skip
    return event


def product_event(
    publishers: EventPublishers, slug: str, type_name: str, product_id: str, name: str = "", **extra: Any
) -> Event:
    """A store's catalog event, as its shard relay publishes it."""
    data: dict[str, Any] = {"product_id": product_id}
    if type_name != "catalog.product.unpublished":
        data |= {"name": name, "description": f"{name}, made by hand.", "price": {"amount": "25.00", "currency": "EUR"},
                 "published": type_name == "catalog.product.published" or extra.pop("published", True)}  # fmt: skip
    if type_name == "catalog.product.published":
        data["published_at"] = timezone.now().isoformat()
    registry.get(type_name).validate(data)
    event = Event(type_name, slug, data, source="/tenant-app", subject=f"product/{product_id}")
    return publish_as_relay(publishers, event)


def relay(publishers: EventPublishers) -> int:
    """The control plane's relay: its outbox (the tenant lifecycle) published as the platform."""
    return relay_once(Relay(database_dsn(), publishers.platform_url, schemas=["public"], sweep_interval=0.5))


def names(text: str) -> list[str]:
    return [hit.name for hit in selectors.search(SearchQuery(text, kind="product")).hits]


def test_a_tenants_lifecycle_and_its_catalog_events_drive_what_search_finds(
    slug: str, subscription: Subscription, publishers: EventPublishers
) -> None:
    tenant = Tenant.objects.create(slug=slug, name="Porto Ceramics Atelier")
    transition(tenant, "provisioning")
    product_event(publishers, slug, "catalog.product.published", "1", "Blue Azulejo Tile")
    product_event(publishers, slug, "catalog.product.published", "2", "Azulejo Coaster Set")

    with running_consumer(subscription, BROKER_URL, publishers.trusted):
        relay(publishers)
        wait_until(lambda: ProductEntry.objects.filter(tenant=slug).count() == 2, what="both products recorded")
        assert names("azulejo") == []  # the tenant is not ready yet

        transition(tenant, "ready", url=f"http://{slug}.localhost:8000/")
        product_event(publishers, slug, "catalog.product.updated", "2", "Azulejo Coaster Set of Six")
        product_event(publishers, slug, "catalog.product.unpublished", "1")
        relay(publishers)
        wait_until(lambda: names("azulejo") == ["Azulejo Coaster Set of Six"], what="the ready tenant's product")
        assert [hit.tenant.slug for hit in selectors.search(SearchQuery("porto ceramics", kind="tenant")).hits] == [
            slug
        ]

        transition(tenant, "suspended", reason="payment failed")
        relay(publishers)
        wait_until(lambda: names("azulejo") == [], what="the suspended tenant's products hidden")

        transition(tenant, "deleting")
        transition(tenant, "deleted")
        relay(publishers)
        wait_until(lambda: TenantEntry.objects.filter(slug=slug, state="deleted").exists(), what="the deletion")

    assert not ProductEntry.objects.filter(tenant=slug).exists()
    assert InboxEvent.objects.filter(consumer=subscription.name).count() == 9


def test_a_redelivered_event_changes_nothing(
    slug: str, subscription: Subscription, publishers: EventPublishers
) -> None:
    tenant = Tenant.objects.create(slug=slug, name="Ghent Candle Works")
    transition(tenant, "provisioning")
    transition(tenant, "ready")
    published = product_event(publishers, slug, "catalog.product.published", "9", "Beeswax Candle")
    product_event(publishers, slug, "catalog.product.unpublished", "9")

    with running_consumer(subscription, BROKER_URL, publishers.trusted):
        relay(publishers)
        wait_until(
            lambda: ProductEntry.objects.filter(tenant=slug, product_id="9", published=False).exists(),
            what="the withdrawal handled",
        )
        # The publication again, as a redelivery would bring it after the withdrawal.
        publish_as_relay(publishers, published)
        # Its id is in the inbox, so it is acked unhandled; the record's clock would refuse it anyway.
        wait_until(lambda: _queue_empty(subscription.queue), what="the redelivery acked")

    assert names("beeswax") == []


def _queue_empty(queue: str) -> bool:
    with kombu.Connection(BROKER_URL) as conn:
        _, messages, _ = conn.channel().queue_declare(queue, passive=True)  # type: ignore[attr-defined]  # py-amqp channel; kombu types it as StdChannel
        return int(messages) == 0
