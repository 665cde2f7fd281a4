"""Event consumers: a queue bound to `tenantry.events`, handlers per event type, handled once each.

Delivery is at least once, so handling is made idempotent here rather than in every
handler: the event id goes into the inbox (`tenantry_inbox`) in the same transaction as
the handler's writes, and the message is acked only after that transaction committed. A
redelivered event finds its id and is acked without running the handler again.

A handler that raises is retried after a delay (per-delay retry queues whose messages
dead-letter back into the main queue), and after the last attempt the message goes to
`<queue>.dead` with the reason in its headers. Messages that can never succeed (not a
CloudEvent, an unknown type, a payload its schema refuses) go there at once. Nothing is
dropped: every message ends handled, waiting for a retry, or in the dead-letter queue.

Before any of that, the event's claims are checked against what the broker guarantees (who
published it, under which routing key: `tenantry_kernel.events.trust`); a forged one goes to the
dead-letter queue with the reason `forged_producer: …` and changes nothing. Its time is bounded
by the moment it was received, so a far-future time cannot pin a record against later events.

A consumer's declaration is checked against the event registry as soon as it is made: every
handled type must be registered and have a handler, and every type a binding routes to the queue
must have a handler. Modules declare their handlers with `event_handlers()` at module level, so a
misspelt type fails the import; a `Subscription` checks its own when it is created (at startup).
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
import traceback
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

import kombu
from django.db import connection, transaction
from kombu.message import Message
from opentelemetry import trace
from opentelemetry.propagate import extract
from prometheus_client import Counter

from tenantry_kernel.context import bound_tenant
from tenantry_kernel.events import trust
from tenantry_kernel.events.envelope import CONTENT_TYPE, EnvelopeError, Event
from tenantry_kernel.events.registry import InvalidPayload, UnknownEventType, registry
from tenantry_kernel.events.trust import ForgedEvent, Provenance, Publishers, verify
from tenantry_kernel.provisioning.broker import EVENTS_EXCHANGE

logger = logging.getLogger("tenantry.events.consumer")
tracer = trace.get_tracer("tenantry.events")

ATTEMPT_HEADER = "x-tenantry-attempt"
REASON_HEADER = "x-tenantry-dead-reason"
ERROR_HEADER = "x-tenantry-last-error"
# Headers only a consumer sets (on its retry and dead-letter copies); never believed from a publisher.
_OWN_HEADERS = (ATTEMPT_HEADER, REASON_HEADER, ERROR_HEADER, trust.PUBLISHER_HEADER, trust.ROUTING_KEY_HEADER)

EVENTS_HANDLED = Counter(
    "tenantry_events_handled_total", "Events consumed, by consumer and outcome.", ["consumer", "outcome"]
)


class PermanentFailure(Exception):
    """Raised by a handler for an event that no retry can fix (e.g. it names a role that does not exist):
    the event goes to the dead-letter queue at once, with this message as the reason."""


class InvalidSubscription(ValueError):
    """A consumer's declaration disagrees with the event registry; the message names the type or binding."""


Handler = Callable[[Event], None]
# What a lost broker looks like through kombu and py-amqp (socket errors are OSErrors).
_CONNECTION_ERRORS: tuple[type[BaseException], ...] = (OSError, *kombu.Connection("amqp://").connection_errors)
Scope = Callable[[Event], AbstractContextManager[Any]]


@contextlib.contextmanager
def _service_scope(event: Event) -> Iterator[None]:
    with bound_tenant(event.tenant), transaction.atomic():
        yield


def _did_you_mean(type_name: str) -> str:
    closest = registry.closest_to(type_name)
    return f" (did you mean {closest!r}?)" if closest else ""


def check_handlers(owner: str, handlers: Mapping[str, Handler]) -> None:
    """Every handled type is registered and mapped to a function; `owner` names the consumer in the error."""
    for type_name, handler in handlers.items():
        if type_name not in registry:
            raise InvalidSubscription(
                f"{owner} handles {type_name!r}, which is not a registered event type{_did_you_mean(type_name)}; "
                "fix the name, or register the type in tenantry_kernel.events.registry"
            )
        if not callable(handler):
            raise InvalidSubscription(
                f"{owner} has no handler for {type_name!r} ({handler!r} is not a function); "
                "map the type to the function that handles it, or leave it out"
            )


def check_bindings(owner: str, handlers: Mapping[str, Handler], bindings: Iterable[str]) -> None:
    """Every binding routes some registered type to the queue, and a handler exists for each type it routes."""
    for binding in bindings:
        routed = registry.routed_by(binding)
        if not routed:
            raise InvalidSubscription(
                f"{owner} is bound to {binding!r}, which routes no registered event type to it; "
                "a binding is `<tenant>.<type>`, where * stands for one word and # for any number"
            )
        if missing := [event_type.name for event_type in routed if event_type.name not in handlers]:
            raise InvalidSubscription(
                f"{owner} is bound to {binding!r} but has no handler for {', '.join(missing)}; "
                "add one, or narrow the binding (those events would all be dead-lettered)"
            )


def event_handlers(owner: str, handlers: Mapping[str, Handler]) -> dict[str, Handler]:
    """A consumer's handlers by event type, checked as they are declared: `HANDLERS = event_handlers(__name__, {...})`
    at module level fails the import of a module that handles a type the registry does not have."""
    check_handlers(owner, handlers)
    return dict(handlers)


@dataclass
class Subscription:
    """What a consumer reads: its queue's name, binding patterns and a handler per event type.

    `bindings` may be a callable (e.g. the tenants this shard serves), re-read every
    `rebind_interval` seconds. `scope(event)` wraps the handling, typically in the event's
    tenant context; the default is one transaction with the tenant bound for logs.
    """

    name: str
    bindings: Iterable[str] | Callable[[], Iterable[str]]
    handlers: Mapping[str, Handler]
    scope: Scope = _service_scope
    retry_delays: tuple[float, ...] = (1.0, 5.0, 30.0, 120.0)
    prefetch: int = 10
    rebind_interval: float = 30.0

    def __post_init__(self) -> None:
        check_handlers(f"consumer {self.name!r}", self.handlers)
        if not callable(self.bindings):
            self.bindings = tuple(self.bindings)  # read more than once: a generator would be empty the second time
            check_bindings(f"consumer {self.name!r}", self.handlers, self.bindings)

    @property
    def queue(self) -> str:
        return self.name

    @property
    def dead_letter_queue(self) -> str:
        return f"{self.name}.dead"

    def retry_queue(self, delay: float) -> str:
        return f"{self.name}.retry.{int(delay * 1000)}ms"

    def current_bindings(self) -> set[str]:
        if not callable(self.bindings):
            return set(self.bindings)
        patterns = set(self.bindings())
        check_bindings(f"consumer {self.name!r}", self.handlers, patterns)  # known only now, e.g. per tenant
        return patterns


@dataclass
class EventConsumer:
    subscription: Subscription
    broker_url: str
    exchange_name: str = EVENTS_EXCHANGE
    reconnect_delay: float = 1.0
    # Whom this consumer believes (None: EVENTS_PLATFORM_PUBLISHERS and EVENTS_RELAY_PUBLISHERS).
    publishers: Publishers | None = None
    _bound: set[str] = field(default_factory=set, init=False)

    def __post_init__(self) -> None:
        if self.publishers is None:
            self.publishers = Publishers.from_settings()

    # -- topology ---------------------------------------------------------------------------

    def declare(self, channel: Any) -> kombu.Queue:
        """Exchange, queue, retry and dead-letter queues, and the bindings: idempotent."""
        subscription = self.subscription
        exchange = kombu.Exchange(self.exchange_name, "topic", durable=True)
        exchange(channel).declare()
        queue = kombu.Queue(subscription.queue, exchange=exchange, durable=True, no_declare=False, bindings=[])
        queue(channel).declare()
        for delay in subscription.retry_delays:
            kombu.Queue(
                subscription.retry_queue(delay),
                durable=True,
                queue_arguments={
                    "x-message-ttl": int(delay * 1000),
                    "x-dead-letter-exchange": "",
                    "x-dead-letter-routing-key": subscription.queue,
                },
            )(channel).declare()
        kombu.Queue(subscription.dead_letter_queue, durable=True)(channel).declare()
        self._bound = set()
        self.rebind(channel, queue, exchange)
        return queue

    def rebind(self, channel: Any, queue: kombu.Queue, exchange: kombu.Exchange) -> None:
        wanted = self.subscription.current_bindings()
        bound = queue(channel)
        for pattern in sorted(wanted - self._bound):
            bound.bind_to(exchange, routing_key=pattern)
        for pattern in sorted(self._bound - wanted):
            bound.unbind_from(exchange, routing_key=pattern)
        self._bound = wanted

    # -- the loop ---------------------------------------------------------------------------

    def run(self, stop: threading.Event) -> None:
        """Consume until `stop` is set; the message being handled is finished first. Reconnects."""
        while not stop.is_set():
            try:
                self._consume(stop)
            except _CONNECTION_ERRORS as error:
                logger.warning("consumer %s lost the broker, reconnecting: %r", self.subscription.name, error)
                stop.wait(self.reconnect_delay)

    def _consume(self, stop: threading.Event) -> None:
        with kombu.Connection(self.broker_url, heartbeat=30, transport_options={"confirm_publish": True}) as conn:
            channel = conn.channel()
            queue = self.declare(channel)
            exchange = kombu.Exchange(self.exchange_name, "topic", durable=True)
            channel.basic_qos(0, self.subscription.prefetch, False)  # type: ignore[attr-defined]  # py-amqp channel; kombu types it as StdChannel
            producer = kombu.Producer(channel)
            # Deliveries are queued here and handled outside the client's dispatch: handling one publishes
            # with a confirm, and waiting for that confirm dispatches the next deliveries. Handled there,
            # they would nest, and the inner wait would take the outer one's confirm and leave it hanging.
            delivered: deque[Message] = deque()
            consumer = kombu.Consumer(channel, queues=[queue], on_message=delivered.append)
            consumer.consume()
            next_rebind = time.monotonic() + self.subscription.rebind_interval
            logger.info("consumer %s is reading %s", self.subscription.name, self.subscription.queue)
            while not stop.is_set():
                try:
                    conn.drain_events(timeout=0.5)
                except TimeoutError:  # socket.timeout: nothing arrived in time
                    conn.heartbeat_check()
                while delivered:  # at most the prefetch count; unhandled ones are redelivered on a stop
                    self.handle(delivered.popleft(), producer)
                if time.monotonic() >= next_rebind:
                    self.rebind(channel, queue, exchange)
                    next_rebind = time.monotonic() + self.subscription.rebind_interval
            with contextlib.suppress(*conn.connection_errors):
                consumer.cancel()

    # -- one message ------------------------------------------------------------------------

    def handle(self, message: Message, producer: kombu.Producer) -> None:
        """Handle one delivery and settle it: ack, retry later, or dead-letter. Never raises."""
        name = self.subscription.name
        received_at = datetime.now(UTC)
        delivery = message.delivery_info or {}
        exchange = str(delivery.get("exchange") or "")
        # Our own headers count only on our own copies (back from a retry queue, through the default exchange).
        own = dict(message.headers or {}) if exchange == "" else {}
        attempt = int(own.get(ATTEMPT_HEADER, 1))
        provenance = Provenance.of_delivery(exchange, str(delivery.get("routing_key") or ""), message.properties, own)
        assert self.publishers is not None  # set in __post_init__
        try:
            event = Event.from_json(message.body or b"")
            event_type = registry.get(event.type)
            verify(event, provenance, self.publishers)
            handler = self.subscription.handlers.get(event.type)
            if handler is None:
                raise UnknownEventType(f"consumer {name} has no handler for {event.type!r}")
            event_type.validate(event.data)
        except ForgedEvent as forged:
            logger.warning("consumer %s dead-letters a forged event: %s", name, forged.detail)
            self._dead_letter(message, producer, str(forged), attempt)
            EVENTS_HANDLED.labels(name, "forged").inc()
            return
        except (EnvelopeError, UnknownEventType, InvalidPayload) as error:
            self._dead_letter(message, producer, f"{type(error).__name__}: {error}", attempt)
            EVENTS_HANDLED.labels(name, "rejected").inc()
            return
        except Exception as error:  # whatever a message is, it must not stop the consumer: kept, with the reason
            logger.exception("consumer %s could not read a message; dead-lettering it", name)
            self._dead_letter(message, producer, f"{type(error).__name__}: {error}", attempt)
            EVENTS_HANDLED.labels(name, "rejected").inc()
            return
        # Never later than its arrival: a far-future time would otherwise win against every later event.
        event = replace(event, time=min(event.time, received_at))

        try:
            with tracer.start_as_current_span(
                f"consume {event.type}",
                context=extract({"traceparent": event.traceparent}) if event.traceparent else None,
                kind=trace.SpanKind.CONSUMER,
                attributes={"messaging.system": "rabbitmq", "messaging.message.id": event.id, "tenant": event.tenant},
            ):
                handled = self._handle_once(event, handler)
        except Exception as error:
            connection.close_if_unusable_or_obsolete()
            reason = "".join(traceback.format_exception_only(error)).strip()
            if isinstance(error, PermanentFailure) or attempt > len(self.subscription.retry_delays):
                logger.error("consumer %s gives up on %s after %d attempts: %s", name, event.id, attempt, reason)
                self._dead_letter(message, producer, reason, attempt)
                EVENTS_HANDLED.labels(name, "dead").inc()
            else:
                delay = self.subscription.retry_delays[attempt - 1]
                logger.warning(
                    "consumer %s retries %s in %.1fs (attempt %d): %s", name, event.id, delay, attempt, reason
                )
                self._republish(
                    message, producer, self.subscription.retry_queue(delay), attempt + 1, reason, provenance=provenance
                )
                EVENTS_HANDLED.labels(name, "retried").inc()
            return
        message.ack()
        EVENTS_HANDLED.labels(name, "handled" if handled else "duplicate").inc()

    def _handle_once(self, event: Event, handler: Handler) -> bool:
        """Run the handler unless the inbox has the event; both in one transaction. True if it ran."""
        with self.subscription.scope(event), transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(
                    "INSERT INTO tenantry_inbox (consumer, event_id, event_type, handled_at)"
                    " VALUES (%s, %s, %s, now()) ON CONFLICT (consumer, event_id) DO NOTHING RETURNING 1",
                    [self.subscription.name, event.id, event.type],
                )
                first_time = cursor.fetchone() is not None
            if first_time:
                handler(event)
            return first_time

    def _dead_letter(self, message: Message, producer: kombu.Producer, reason: str, attempt: int) -> None:
        self._republish(message, producer, self.subscription.dead_letter_queue, attempt, reason, dead=True)

    def _republish(
        self,
        message: Message,
        producer: kombu.Producer,
        queue: str,
        attempt: int,
        reason: str,
        dead: bool = False,
        provenance: Provenance | None = None,
    ) -> None:
        """A copy to `queue` (confirmed by the broker), then the ack of the original: never lost.

        `provenance` (only once verified) travels in our own headers, for the retry's next delivery;
        any header of ours the publisher set is dropped, so a dead letter replayed later proves nothing.
        """
        headers: dict[str, Any] = {
            key: value for key, value in (message.headers or {}).items() if key not in _OWN_HEADERS
        }
        headers.update({ATTEMPT_HEADER: attempt, ERROR_HEADER: reason[:1000]})
        if provenance is not None:
            headers.update(provenance.headers())
        if dead:
            headers[REASON_HEADER] = reason[:1000]
        producer.publish(
            message.body,
            exchange="",
            routing_key=queue,
            headers=headers,
            content_type=message.content_type or CONTENT_TYPE,
            content_encoding=message.content_encoding or "binary",
            delivery_mode=2,
            message_id=message.properties.get("message_id"),
            serializer=None,
        )
        message.ack()
