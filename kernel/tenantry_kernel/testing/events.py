"""Run the outbox relay and event consumers inside a test, against the real RabbitMQ."""

from __future__ import annotations

import asyncio
import secrets
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from urllib.parse import quote

import kombu

from tenantry_kernel.config import getenv
from tenantry_kernel.events.consumer import EventConsumer, Subscription
from tenantry_kernel.events.registry import PLATFORM_PRODUCER, TENANT_PRODUCER
from tenantry_kernel.events.relay import Relay
from tenantry_kernel.events.trust import Publishers
from tenantry_kernel.provisioning.broker import (
    PLATFORM_VHOST,
    BrokerAdmin,
    ensure_event_publisher,
    ensure_platform_exchange,
)

ADMIN_URL = getenv("TENANTRY_BROKER_ADMIN_URL")


def ensure_events_exchange() -> None:
    """The platform vhost and its `tenantry.events` exchange, as provisioning creates them."""
    with BrokerAdmin.from_url(ADMIN_URL) as admin:
        ensure_platform_exchange(admin)


@dataclass(frozen=True)
class EventPublishers:
    """Broker users of this test run that publish as the platform and as a shard relay, as production's do."""

    platform_url: str
    relay_url: str
    trusted: Publishers  # what consumers in the test believe: exactly these two

    @property
    def platform_user(self) -> str:
        return next(iter(self.trusted.platform))

    @property
    def relay_user(self) -> str:
        return next(iter(self.trusted.relays))


@contextmanager
def event_publishers(
    vhost: str = PLATFORM_VHOST, host: str = "127.0.0.1", port: int = 5672
) -> Iterator[EventPublishers]:
    """Two broker users of the run's own (never the names `make up` uses), removed afterwards."""
    token = secrets.token_hex(4)
    users = {
        "platform": (f"tenantry-test-platform-{token}", secrets.token_urlsafe(18), PLATFORM_PRODUCER),
        "relay": (f"tenantry-test-relay-{token}", secrets.token_urlsafe(18), TENANT_PRODUCER),
    }
    with BrokerAdmin.from_url(ADMIN_URL) as admin:
        for name, password, producer in users.values():
            ensure_event_publisher(admin, name, password, producer, vhost)
    path = quote(vhost, safe="")
    urls = {kind: f"amqp://{name}:{password}@{host}:{port}/{path}" for kind, (name, password, _) in users.items()}
    try:
        yield EventPublishers(
            platform_url=urls["platform"],
            relay_url=urls["relay"],
            trusted=Publishers.of([users["platform"][0]], [users["relay"][0]]),
        )
    finally:
        with BrokerAdmin.from_url(ADMIN_URL) as admin:
            for name, _, _ in users.values():
                admin.delete_user(name)


@contextmanager
def running_relay(relay: Relay) -> Iterator[Relay]:
    """The relay's loop in a thread (its own event loop) until the block ends."""
    started = threading.Event()
    stop = asyncio.Event()
    runner = asyncio.Runner()
    failure: list[BaseException] = []

    def main() -> None:
        # asyncio.Runner cancels and awaits whatever the relay left behind before closing its loop.
        with runner:
            runner.get_loop().call_soon(started.set)
            try:
                runner.run(relay.run(stop))
            except BaseException as error:
                failure.append(error)

    thread = threading.Thread(target=main, name="relay", daemon=True)
    thread.start()
    started.wait(timeout=10)
    try:
        yield relay
    finally:
        if thread.is_alive():
            runner.get_loop().call_soon_threadsafe(stop.set)
        thread.join(timeout=15)
    if failure:
        raise failure[0]


def relay_once(relay: Relay) -> int:
    """Drain every outbox the relay sees, once, and close its connections."""

    async def once() -> int:
        try:
            return await relay.relay_once()
        finally:
            await relay.close()

    return asyncio.run(once())


@contextmanager
def running_consumer(
    subscription: Subscription, broker_url: str, publishers: Publishers | None = None
) -> Iterator[EventConsumer]:
    """A consumer thread on `subscription` (its topology declared before the block starts), believing
    `publishers` (default: the settings')."""
    consumer = EventConsumer(subscription, broker_url, publishers=publishers)
    with kombu.Connection(broker_url) as conn:
        consumer.declare(conn.channel())
    stop = threading.Event()

    def main() -> None:
        from django.db import connection

        try:
            consumer.run(stop)
        finally:
            connection.close()

    thread = threading.Thread(target=main, name=f"consumer-{subscription.name}", daemon=True)
    thread.start()
    try:
        yield consumer
    finally:
        stop.set()
        thread.join(timeout=15)
        if thread.is_alive():
            raise AssertionError(f"consumer {subscription.name} did not stop within 15 s: it is stuck")


def take_messages(
    broker_url: str, queue: str, expected: int | None = None, timeout: float = 30.0
) -> list[kombu.Message]:
    """Messages taken off `queue` with basic.get: `expected` of them (waiting up to `timeout` for them
    to arrive), or, with `expected=None`, whatever is there now.

    Polling basic.get rather than consuming: a consumer's first deliveries can race its registration
    in the client, and a message taken with no_ack there is gone; basic.get has no such window.
    """
    taken: list[kombu.Message] = []
    deadline = time.monotonic() + timeout
    with kombu.Connection(broker_url) as conn:
        bound = kombu.Queue(queue, no_declare=True)(conn.channel())
        while expected is None or len(taken) < expected:
            message = bound.get(no_ack=True)
            if message is not None:
                taken.append(message)
            elif expected is None or time.monotonic() >= deadline:
                break
            else:
                time.sleep(0.05)
    return taken


def delete_queues(broker_url: str, names: Iterable[str]) -> None:
    with kombu.Connection(broker_url) as conn:
        channel = conn.channel()
        for name in names:
            channel.queue_delete(name)  # type: ignore[attr-defined]  # py-amqp channel; kombu types it as StdChannel


def subscription_queues(subscription: Subscription) -> list[str]:
    return [
        subscription.queue,
        subscription.dead_letter_queue,
        *(subscription.retry_queue(delay) for delay in subscription.retry_delays),
    ]
