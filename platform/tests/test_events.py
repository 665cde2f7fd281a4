"""Outbox → relay → RabbitMQ → consumer → billing ledger, on the real PostgreSQL and RabbitMQ."""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import aiormq
import amqp
import kombu
import pytest
from django.db import connection, transaction
from prometheus_client import REGISTRY

from control_plane.billing.actions import ledger
from control_plane.billing.events import on_usage_reported
from control_plane.billing.ledger import LedgerProjection
from control_plane.billing.models import LedgerBalance, MeteredUsage
from tenantry_kernel.events.consumer import ATTEMPT_HEADER, REASON_HEADER, EventConsumer, Subscription
from tenantry_kernel.events.envelope import Event
from tenantry_kernel.events.models import InboxEvent, OutboxEvent
from tenantry_kernel.events.outbox import emit
from tenantry_kernel.events.relay import Relay
from tenantry_kernel.events.settings import database_dsn
from tenantry_kernel.provisioning.broker import BrokerAdmin, delete_tenant_broker, ensure_tenant_broker
from tenantry_kernel.provisioning.plans import plan_for
from tenantry_kernel.testing import wait_until
from tenantry_kernel.testing.events import (
    ADMIN_URL,
    EventPublishers,
    delete_queues,
    ensure_events_exchange,
    relay_once,
    running_consumer,
    running_relay,
    subscription_queues,
    take_messages,
)
from tenantry_kernel.testing.proxy import cuttable_proxy

pytestmark = pytest.mark.django_db(transaction=True)

BROKER_URL = "amqp://guest:guest@127.0.0.1:5672/tenantry"
MakeSubscription = Callable[..., Subscription]


def usage(quantity: int) -> dict[str, object]:
    return {"metric": "orders", "quantity": quantity, "period_start": "2026-11-01T00:00:00Z",
            "period_end": "2026-11-02T00:00:00Z"}  # fmt: skip


def report_usage(tenant: str, quantity: int) -> Event:
    with transaction.atomic():
        return emit("usage.reported", usage(quantity), subject="usage/orders", tenant=tenant)


@pytest.fixture
def tenant() -> str:
    return f"acme-{secrets.token_hex(4)}"


@pytest.fixture
def make_subscription(tenant: str, publishers: EventPublishers) -> Iterator[Callable[..., Subscription]]:
    """Subscriptions on private queues bound to this test's tenant; their queues are deleted afterwards."""
    ensure_events_exchange()
    made: list[Subscription] = []

    def make(
        handler: Callable[[Event], None] = on_usage_reported, retry_delays: tuple[float, ...] | None = None
    ) -> Subscription:
        subscription = Subscription(
            name=f"test.usage.{secrets.token_hex(4)}",
            bindings=[f"{tenant}.usage.reported"],
            handlers={"usage.reported": handler},
        )
        if retry_delays is not None:
            subscription.retry_delays = retry_delays
        with kombu.Connection(BROKER_URL) as conn:
            # Bound before anything is published.
            EventConsumer(subscription, BROKER_URL, publishers=publishers.trusted).declare(conn.channel())
        made.append(subscription)
        return subscription

    yield make
    for subscription in made:
        delete_queues(BROKER_URL, subscription_queues(subscription))


def relay_for_public(broker_url: str, **options: object) -> Relay:
    """The relay of the control plane's outbox, publishing as `broker_url`'s user (usage.reported, a tenant
    type, as a shard relay would publish it)."""
    return Relay(database_dsn(), broker_url, schemas=["public"], sweep_interval=0.5, **options)  # type: ignore[arg-type]


def metered(tenant: str) -> int:
    row = MeteredUsage.objects.filter(tenant=tenant, metric="orders").first()
    return row.quantity if row else 0


def test_committed_usage_reaches_the_billing_ledger_once(
    tenant: str, make_subscription: MakeSubscription, publishers: EventPublishers
) -> None:
    subscription = make_subscription()
    with (
        running_consumer(subscription, BROKER_URL, publishers.trusted),
        running_relay(relay_for_public(publishers.relay_url)),
    ):
        for quantity in (1, 2, 3):
            report_usage(tenant, quantity)
        wait_until(lambda: metered(tenant) == 6, what="usage 6 in the ledger")

    assert not OutboxEvent.objects.exists()
    assert InboxEvent.objects.filter(consumer=subscription.name).count() == 3


def test_a_broker_outage_during_a_burst_loses_nothing_and_handles_nothing_twice(
    tenant: str, make_subscription: MakeSubscription, publishers: EventPublishers
) -> None:
    """The relay reaches RabbitMQ through a proxy the test cuts mid-burst; the consumer is direct."""
    handled: list[str] = []
    lock = threading.Lock()

    def counting(event: Event) -> None:
        on_usage_reported(event)
        with lock:
            handled.append(event.id)

    subscription = make_subscription(counting)
    burst = 400
    with (
        cuttable_proxy("127.0.0.1", 5672) as proxy,
        running_consumer(subscription, BROKER_URL, publishers.trusted),
        running_relay(relay_for_public(publishers.relay_url.replace(":5672/", f":{proxy.port}/"), batch_size=50)),
    ):
        emitted = []
        for index in range(burst):
            emitted.append(report_usage(tenant, 1).id)
            if index == burst // 3:
                proxy.cut()
            if index == 2 * burst // 3:
                # Some of the burst was committed while the broker was unreachable.
                assert OutboxEvent.objects.count() > 0
                proxy.restore()
        # A bound on liveness, not on speed: on a loaded machine the relay's reconnect backoff and 400 handlings
        # took more than the default 30 s once.
        wait_until(lambda: metered(tenant) == burst, timeout=120, what=f"{burst} usage events in the ledger")
        connections_used = proxy.connections

    assert connections_used >= 2  # the relay reconnected after the cut
    assert len(handled) == burst == len(set(handled))
    assert handled == emitted  # one subject: first handled in the order emitted, resent batches deduplicated
    assert InboxEvent.objects.filter(consumer=subscription.name).count() == burst
    assert not OutboxEvent.objects.exists()


def test_a_redelivered_event_is_acked_without_running_the_handler_again(
    tenant: str, make_subscription: MakeSubscription, publishers: EventPublishers
) -> None:
    subscription = make_subscription()
    event = report_usage(tenant, 5)
    relay_once(relay_for_public(publishers.relay_url))
    with running_consumer(subscription, BROKER_URL, publishers.trusted):
        wait_until(lambda: metered(tenant) == 5, what="the first delivery handled")
        # The same event again, as a redelivery after a lost ack would bring it.
        with kombu.Connection(publishers.relay_url) as conn:
            kombu.Producer(conn).publish(event.to_json(), exchange="tenantry.events", routing_key=event.routing_key,
                                         serializer=None, content_type="application/cloudevents+json",
                                         user_id=publishers.relay_user)  # fmt: skip
        wait_until(lambda: _handled(subscription, "duplicate") == 1, what="the duplicate acked")
    assert metered(tenant) == 5
    assert InboxEvent.objects.filter(consumer=subscription.name, event_id=event.id).count() == 1


def _handled(subscription: Subscription, outcome: str) -> float:
    labels = {"consumer": subscription.name, "outcome": outcome}
    return REGISTRY.get_sample_value("tenantry_events_handled_total", labels) or 0.0


def _dead_letters(queue: str, expected: int) -> list[tuple[dict[str, Any], bytes]]:
    """(headers, body) of the first `expected` messages of a dead-letter queue."""
    messages = take_messages(BROKER_URL, queue, expected)
    return [(dict(m.headers or {}), m.body if isinstance(m.body, bytes) else (m.body or "").encode()) for m in messages]


def test_a_failing_handler_is_retried_then_dead_lettered_with_its_reason(
    tenant: str, make_subscription: MakeSubscription, publishers: EventPublishers
) -> None:
    attempts: list[int] = []

    def broken(event: Event) -> None:
        on_usage_reported(event)  # its writes must roll back with the failure
        attempts.append(1)
        raise RuntimeError("the ledger is closed for maintenance")

    subscription = make_subscription(broken, retry_delays=(0.1, 0.2))
    event = report_usage(tenant, 7)
    with running_consumer(subscription, BROKER_URL, publishers.trusted):
        relay_once(relay_for_public(publishers.relay_url))
        dead = _dead_letters(subscription.dead_letter_queue, 1)

    assert len(attempts) == 3
    assert len(dead) == 1
    headers, body = dead[0]
    assert headers[ATTEMPT_HEADER] == 3
    assert headers[REASON_HEADER] == "RuntimeError: the ledger is closed for maintenance"
    assert Event.from_json(body) == event
    assert metered(tenant) == 0
    assert not InboxEvent.objects.filter(event_id=event.id).exists()


def test_messages_that_can_never_be_handled_go_straight_to_the_dead_letter_queue(
    tenant: str, make_subscription: MakeSubscription, publishers: EventPublishers
) -> None:
    subscription = make_subscription(retry_delays=(0.1,))
    with running_consumer(subscription, BROKER_URL, publishers.trusted):
        with kombu.Connection(publishers.relay_url) as conn:
            producer = kombu.Producer(conn)
            key, user = f"{tenant}.usage.reported", publishers.relay_user
            producer.publish(b"not json", exchange="tenantry.events", routing_key=key, serializer=None, user_id=user)
            invalid = Event("usage.reported", tenant, {"metric": "bananas", "quantity": 1}, source="/test")
            producer.publish(
                invalid.to_json(), exchange="tenantry.events", routing_key=key, serializer=None, user_id=user
            )
        dead = _dead_letters(subscription.dead_letter_queue, 2)

    reasons = sorted(headers[REASON_HEADER] for headers, _body in dead)
    assert reasons[0].startswith("EnvelopeError: not JSON")
    assert reasons[1].startswith("InvalidPayload: payload of usage.reported is invalid")
    assert all(headers[ATTEMPT_HEADER] == 1 for headers, _body in dead)
    assert metered(tenant) == 0


def test_a_burst_of_bad_messages_is_dead_lettered_whole_and_the_consumer_still_stops(
    tenant: str, make_subscription: MakeSubscription, publishers: EventPublishers
) -> None:
    """Each dead letter waits for the broker's confirm while more deliveries arrive (prefetch 10):
    those must wait their turn, not be handled inside that wait (nested, one confirm went missing
    and the consumer hung)."""
    subscription = make_subscription(retry_delays=(0.1,))
    burst = 3 * subscription.prefetch
    with running_consumer(subscription, BROKER_URL, publishers.trusted):
        with kombu.Connection(publishers.relay_url) as conn:
            producer = kombu.Producer(conn)
            for number in range(burst):
                producer.publish(f"not json {number}".encode(), exchange="tenantry.events", serializer=None,
                                 routing_key=f"{tenant}.usage.reported", user_id=publishers.relay_user)  # fmt: skip
        dead = _dead_letters(subscription.dead_letter_queue, burst)
        wait_until(lambda: _handled(subscription, "rejected") == burst, what="every bad message settled")
    # running_consumer fails the test if the consumer does not stop

    assert sorted(body for _headers, body in dead) == sorted(f"not json {n}".encode() for n in range(burst))


WORKER = Path(__file__).with_name("event_worker.py")


def _worker(
    queue: str, binding: str, *, stall: bool, marker: Path, publishers: EventPublishers
) -> subprocess.Popen[str]:
    env = {**os.environ, "PGDATABASE": connection.settings_dict["NAME"]}
    env["EVENTS_PLATFORM_PUBLISHERS"] = ",".join(publishers.trusted.platform)
    env["EVENTS_RELAY_PUBLISHERS"] = ",".join(publishers.trusted.relays)
    env["DJANGO_SETTINGS_MODULE"] = "control_plane.settings.test"
    args = [sys.executable, str(WORKER), queue, binding, str(marker), "stall" if stall else "handle"]
    return subprocess.Popen(args, env=env, cwd=Path(__file__).parents[1], text=True)


def test_a_consumer_killed_mid_handling_gets_the_event_redelivered_and_handled_once(
    tenant: str, make_subscription: MakeSubscription, tmp_path: Path, publishers: EventPublishers
) -> None:
    subscription = make_subscription()  # declares the queue and its clean-up; the workers consume it
    report_usage(tenant, 11)
    marker = tmp_path / "handling"
    first = _worker(subscription.name, f"{tenant}.usage.reported", stall=True, marker=marker, publishers=publishers)
    try:
        relay_once(relay_for_public(publishers.relay_url))
        wait_until(marker.exists, what="the first worker inside the handler")
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
    finally:
        first.kill()
    assert metered(tenant) == 0  # killed before its transaction committed

    second = _worker(subscription.name, f"{tenant}.usage.reported", stall=False, marker=marker, publishers=publishers)
    try:
        wait_until(lambda: metered(tenant) == 11, what="the redelivered event handled")
        time.sleep(0.5)
    finally:
        second.send_signal(signal.SIGTERM)
        assert second.wait(timeout=15) == 0  # a graceful stop
    assert metered(tenant) == 11
    assert InboxEvent.objects.filter(consumer=subscription.name).count() == 1


def test_a_tenant_broker_user_cannot_publish_another_tenants_routing_key(tenant: str) -> None:
    """The shard relay uses platform credentials; a dedicated relay with the tenant's own is confined."""
    password = secrets.token_urlsafe(16)
    with BrokerAdmin.from_url(ADMIN_URL) as admin:
        broker = ensure_tenant_broker(admin, tenant, plan_for("free"), password)
    try:
        platform_url = broker.amqp_url().rsplit("/", 1)[0] + "/tenantry"
        with transaction.atomic():
            emit("usage.reported", usage(1), tenant=tenant)
        own = relay_for_public(platform_url, declare_exchange=False)
        assert relay_once(own) == 1

        with transaction.atomic():
            emit("usage.reported", usage(1), tenant=f"victim-{secrets.token_hex(3)}")
        forged = relay_for_public(platform_url, declare_exchange=False)
        with pytest.raises(aiormq.exceptions.ChannelAccessRefused):
            relay_once(forged)
        # Refused, and still in the outbox: nothing is lost, an operator sees why in the relay's log.
        assert OutboxEvent.objects.count() == 1
    finally:
        with BrokerAdmin.from_url(ADMIN_URL) as admin:
            delete_tenant_broker(admin, tenant)


@pytest.fixture
def tenant_broker_url(tenant: str) -> Iterator[str]:
    """The store's own broker credentials on the platform vhost: what a store legitimately holds."""
    with BrokerAdmin.from_url(ADMIN_URL) as admin:
        broker = ensure_tenant_broker(admin, tenant, plan_for("free"), secrets.token_urlsafe(16))
    try:
        yield broker.amqp_url().rsplit("/", 1)[0] + "/tenantry"
    finally:
        with BrokerAdmin.from_url(ADMIN_URL) as admin:
            delete_tenant_broker(admin, tenant)


def _publish(url: str, event: Event, *, user_id: str | None, routing_key: str = "", **headers: Any) -> None:
    """Publish and wait for the broker's confirm (a refused publish raises)."""
    with kombu.Connection(url, transport_options={"confirm_publish": True}) as conn:
        properties: dict[str, Any] = {"user_id": user_id} if user_id else {}
        kombu.Producer(conn).publish(
            event.to_json(), exchange="tenantry.events", routing_key=routing_key or event.routing_key,
            serializer=None, content_type="application/cloudevents+json", headers=headers, **properties,
        )  # fmt: skip


def test_events_whose_claims_the_broker_does_not_back_are_dead_lettered_as_forged(
    tenant: str, make_subscription: MakeSubscription, publishers: EventPublishers, tenant_broker_url: str
) -> None:
    victim = f"victim-{secrets.token_hex(3)}"
    subscription = make_subscription()
    subscription.bindings = [f"{tenant}.#", f"{victim}.#"]
    own_user = f"tenant-{tenant}"
    with kombu.Connection(BROKER_URL) as conn:
        EventConsumer(subscription, BROKER_URL, publishers=publishers.trusted).declare(conn.channel())

    with running_consumer(subscription, BROKER_URL, publishers.trusted):
        # No validated publisher at all (the admin's connection, no user_id).
        _publish(BROKER_URL, Event("usage.reported", victim, usage(1), source="/x"), user_id=None)
        # The store's own user, under its own routing key, claiming the victim.
        claims_victim = Event("usage.reported", victim, usage(2), source="/x")
        _publish(tenant_broker_url, claims_victim, user_id=own_user, routing_key=f"{tenant}.usage.reported")
        # Its own tenant, but a platform-only type, and our own provenance headers written by the store.
        member = Event("member.invited", tenant, {"email": "mallory@example.com", "role": "owner"}, source="/x")
        _publish(tenant_broker_url, member, user_id=own_user, **{"x-tenantry-publisher": publishers.platform_user})
        # The routing key's type and the envelope's differ.
        _publish(publishers.relay_url, Event("usage.reported", tenant, usage(4), source="/x"),
                 user_id=publishers.relay_user, routing_key=f"{tenant}.catalog.product.created")  # fmt: skip
        dead = _dead_letters(subscription.dead_letter_queue, 4)
        # Publishers of the platform are held to their areas by the broker itself, before any consumer.
        for url, user, event in (
            (publishers.platform_url, publishers.platform_user, Event("usage.reported", tenant, usage(3), source="/x")),
            (publishers.relay_url, publishers.relay_user, member),
        ):
            with pytest.raises(amqp.exceptions.AccessRefused, match="ACCESS_REFUSED - access to topic"):
                _publish(url, event, user_id=user)

    reasons = sorted(headers[REASON_HEADER] for headers, _body in dead)
    assert reasons == sorted(
        [
            "forged_producer: the message carries no validated publisher (the AMQP user_id property)",
            f"forged_producer: published under tenant {tenant!r} but claims tenant {victim!r}",
            f"forged_producer: member.invited comes from the platform only, not from {own_user!r}",
            "forged_producer: published as 'catalog.product.created' but claims to be 'usage.reported'",
        ]
    )
    assert (metered(tenant), metered(victim)) == (0, 0)
    assert not InboxEvent.objects.filter(consumer=subscription.name).exists()
    assert _handled(subscription, "forged") == 4


def test_a_store_publishing_its_own_usage_is_believed_and_a_future_time_is_bounded_by_arrival(
    tenant: str, make_subscription: MakeSubscription, publishers: EventPublishers, tenant_broker_url: str
) -> None:
    from datetime import UTC, datetime

    seen: list[datetime] = []

    def recording(event: Event) -> None:
        on_usage_reported(event)
        seen.append(event.time)

    subscription = make_subscription(recording)
    far_future = datetime(2999, 1, 1, tzinfo=UTC)
    sent = Event("usage.reported", tenant, usage(5), source="/x", time=far_future)
    with running_consumer(subscription, BROKER_URL, publishers.trusted):
        _publish(tenant_broker_url, sent, user_id=f"tenant-{tenant}")
        wait_until(lambda: metered(tenant) == 5, what="the store's own usage handled")

    assert len(seen) == 1
    assert seen[0] <= datetime.now(UTC)  # arrival bounds it: a forged future time pins nothing


def test_a_retried_event_keeps_the_provenance_checked_on_its_first_delivery(
    tenant: str, make_subscription: MakeSubscription, publishers: EventPublishers
) -> None:
    attempts: list[int] = []

    def flaky(event: Event) -> None:
        attempts.append(1)
        if len(attempts) == 1:
            raise RuntimeError("the ledger is busy")
        on_usage_reported(event)

    subscription = make_subscription(flaky, retry_delays=(0.1,))
    report_usage(tenant, 6)
    with running_consumer(subscription, BROKER_URL, publishers.trusted):
        relay_once(relay_for_public(publishers.relay_url))
        wait_until(lambda: metered(tenant) == 6, what="the retried event handled")

    assert len(attempts) == 2


def test_replaying_the_billing_ledger_equals_the_live_projection(tenant: str) -> None:
    from decimal import Decimal

    other = f"{tenant}-b"
    for index in range(60):  # past a snapshot (every 50)
        ledger.charge(tenant, Decimal("9.99"), "EUR", f"period {index}")
    ledger.receive_payment(tenant, Decimal("100"), "EUR", "pi_1")
    ledger.credit(tenant, Decimal("0.40"), "EUR", "goodwill")
    ledger.charge(other, Decimal("5"), "USD", "starter")
    ledger.record_usage(tenant, "orders", 12, source_event="e1", period_end="2026-11-02T00:00:00Z")
    live = sorted(LedgerBalance.objects.values_list("tenant", "currency", "balance", "version"))
    live_usage = sorted(MeteredUsage.objects.values_list("tenant", "metric", "quantity"))

    LedgerProjection().replay()

    assert sorted(LedgerBalance.objects.values_list("tenant", "currency", "balance", "version")) == live
    assert sorted(MeteredUsage.objects.values_list("tenant", "metric", "quantity")) == live_usage
    assert LedgerBalance.objects.get(tenant=tenant).balance == Decimal("9.99") * 60 - Decimal("100.40")
    loaded = ledger.accounts.load(tenant)
    assert loaded is not None
    assert loaded.version == 63
    assert loaded.usage == {"orders": 12}


def test_the_consumer_works_inside_the_trace_of_the_change_that_emitted(
    tenant: str, make_subscription: MakeSubscription, publishers: EventPublishers
) -> None:
    from opentelemetry import trace

    seen: list[int] = []

    def tracing(event: Event) -> None:
        seen.append(trace.get_current_span().get_span_context().trace_id)

    subscription = make_subscription(tracing)
    with trace.get_tracer("test").start_as_current_span("signup request") as span:
        report_usage(tenant, 1)
        emitting_trace = span.get_span_context().trace_id
    relay_once(relay_for_public(publishers.relay_url))
    with running_consumer(subscription, BROKER_URL, publishers.trusted):
        wait_until(lambda: bool(seen), what="the event handled")

    assert seen == [emitting_trace]
    assert emitting_trace != 0
