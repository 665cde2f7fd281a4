"""The outbox relay: publishes committed events from every outbox of a database to RabbitMQ.

One relay serves one database: a shard (every tenant schema holding `tenantry_outbox`) or
the control plane's. It wakes on the NOTIFY that each emit sends at commit, and sweeps
every outbox on an interval in case a wake-up was missed (a relay restart, a new schema).

Per schema, a batch is: take a transaction-scoped advisory lock (several relays may run;
a schema is drained by one at a time, the others skip it), read the oldest rows in id
order, publish them all to `tenantry.events` with publisher confirms, then delete them and
commit. A failure anywhere rolls the batch back and it is sent again after a back-off, so
delivery is at least once (consumers keep an inbox) and events of a schema are published
in id order; a confirmed event is deleted only after its confirm arrived.

The relay vouches for what it publishes (docs/security.md): each message carries the AMQP
`user_id` of the relay's broker user, which the broker checks, and a tenant schema's rows are
published under the tenant that schema belongs to, whatever tenant a row names — a tenant that
writes its own outbox cannot publish for another. Only the platform's own schemas (the control
plane's database, a shard's `public`) are published under the routing key their rows give.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote, urlsplit

import aio_pika
import psycopg
from prometheus_client import Counter
from psycopg import sql

from tenantry_kernel.events.envelope import CONTENT_TYPE, EnvelopeError, Event
from tenantry_kernel.events.outbox import NOTIFY_CHANNEL
from tenantry_kernel.events.registry import TENANT_PRODUCER, registry
from tenantry_kernel.events.trust import FORGED_PRODUCER
from tenantry_kernel.provisioning.broker import EVENTS_EXCHANGE
from tenantry_kernel.provisioning.database.template_clone import TEMPLATE_SCHEMA
from tenantry_kernel.provisioning.naming import tenant_of_schema

logger = logging.getLogger("tenantry.events.relay")

# First key of the relay's advisory locks (the second is the schema's hash).
_LOCK_KEY = 0x7E4A_0B0C

EVENTS_PUBLISHED = Counter("tenantry_events_published_total", "Outbox events the relay published and confirmed.")
RELAY_FAILURES = Counter("tenantry_events_relay_failures_total", "Relay batches that failed and will be retried.")
EVENTS_REFUSED = Counter(
    "tenantry_events_relay_refused_total", "Tenant outbox rows the relay set aside instead of publishing (forged)."
)

_OUTBOX_SCHEMAS = sql.SQL(
    "SELECT n.nspname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
    " WHERE c.relname = 'tenantry_outbox' AND c.relkind = 'r' AND n.nspname <> {template}"
    " ORDER BY n.nspname"
).format(template=sql.Literal(TEMPLATE_SCHEMA))


@dataclass
class Backoff:
    """Exponential back-off with full jitter, reset by a success."""

    base: float = 0.05
    cap: float = 5.0
    failures: int = 0

    def next_delay(self) -> float:
        self.failures += 1
        return random.uniform(0, min(self.cap, self.base * 2**self.failures))  # noqa: S311 (jitter, not a secret)

    def reset(self) -> None:
        self.failures = 0


@dataclass
class Relay:
    dsn: str
    broker_url: str
    batch_size: int = 500
    sweep_interval: float = 2.0
    publish_timeout: float = 10.0
    schemas: Sequence[str] | None = None  # None: every schema with an outbox, rediscovered each sweep
    exchange_name: str = EVENTS_EXCHANGE
    # False: the exchange must exist already (a tenant's broker user may publish but not declare).
    declare_exchange: bool = True
    backoff: Backoff = field(default_factory=Backoff)
    _connection: aio_pika.abc.AbstractConnection | None = field(default=None, init=False, repr=False)
    _exchange: aio_pika.abc.AbstractExchange | None = field(default=None, init=False, repr=False)
    _db: psycopg.AsyncConnection[Any] | None = field(default=None, init=False, repr=False)

    async def run(self, stop: asyncio.Event) -> None:
        """Relay until `stop` is set; failures are logged, backed off and retried, never fatal."""
        dirty: set[str] = set()
        wake = asyncio.Event()
        listener = asyncio.create_task(self._listen(dirty, wake, stop))
        next_sweep = 0.0
        try:
            while not stop.is_set():
                if time.monotonic() >= next_sweep:
                    try:
                        dirty.update(await self._discover())
                    except psycopg.Error as error:
                        logger.warning("cannot list the outboxes: %s", error)
                        await self._close_db()
                        await _sleep_or_stop(stop, self.backoff.next_delay())
                        continue
                    next_sweep = time.monotonic() + self.sweep_interval
                wake.clear()
                pending, dirty_copy = sorted(dirty), set(dirty)
                dirty.difference_update(dirty_copy)
                failed = await self._drain_all(pending)
                if failed:
                    dirty.update(failed)
                    RELAY_FAILURES.inc()
                    await _sleep_or_stop(stop, self.backoff.next_delay())
                    continue
                self.backoff.reset()
                if not dirty:
                    timeout = max(0.0, next_sweep - time.monotonic())
                    await _wait_any(wake, stop, timeout)
        finally:
            listener.cancel()
            await asyncio.gather(listener, return_exceptions=True)
            await self.close()

    async def relay_once(self) -> int:
        """Drain every outbox now (tests, `relay_events --once`); returns the events published."""
        published = 0
        for schema in await self._discover():
            while True:
                count = await self.drain(schema)
                published += count
                if count < self.batch_size:
                    break
        return published

    async def _drain_all(self, schemas: Sequence[str]) -> set[str]:
        failed: set[str] = set()
        for schema in schemas:
            try:
                while await self.drain(schema) == self.batch_size:
                    pass
            except psycopg.Error as error:
                logger.warning("reading the outbox of %s failed, retrying: %s", schema, error)
                failed.add(schema)
                await self._close_db()
            except Exception as error:
                logger.warning("publishing the outbox of %s failed, retrying: %r", schema, error)
                failed.add(schema)
                await self._close_broker()
        return failed

    async def drain(self, schema: str) -> int:
        """Publish (or set aside) and delete one batch of `schema`'s outbox; the rows taken, 0 when empty or
        another relay holds it."""
        db = await self._database()
        exchange = await self._broker()
        outbox = sql.Identifier(schema, "tenantry_outbox")
        tenant = tenant_of_schema(schema)
        async with db.transaction():
            cursor = await db.execute(
                "SELECT pg_try_advisory_xact_lock(%s, hashtext(%s))", (_LOCK_KEY, schema), prepare=True
            )
            row = await cursor.fetchone()
            if not row or not row[0]:
                return 0
            cursor = await db.execute(
                sql.SQL("SELECT id, event_id::text, routing_key, envelope::text FROM {} ORDER BY id LIMIT %s").format(
                    outbox
                ),
                (self.batch_size,),
            )
            rows = await cursor.fetchall()
            if not rows:
                return 0
            outgoing: list[tuple[str, str, str]] = []  # (event id, routing key, body)
            refused: list[tuple[int, str]] = []  # (row id, reason)
            for row_id, event_id, routing_key, body in rows:
                if tenant is None:  # the platform's own schema: its rows route as written
                    outgoing.append((event_id, routing_key, body))
                elif reason := refusal(tenant, routing_key, body):
                    refused.append((row_id, reason))
                else:
                    outgoing.append((event_id, f"{tenant}.{routing_key.partition('.')[2]}", body))
            # All in flight at once; each awaits its own confirm. The channel keeps them in order.
            await asyncio.gather(
                *(
                    exchange.publish(
                        aio_pika.Message(
                            body.encode(),
                            content_type=CONTENT_TYPE,
                            delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
                            message_id=event_id,
                            user_id=self.publisher,
                        ),
                        routing_key=routing_key,
                        timeout=self.publish_timeout,
                    )
                    for event_id, routing_key, body in outgoing
                )
            )
            if refused:
                await self._set_aside(db, schema, refused)
            await db.execute(sql.SQL("DELETE FROM {} WHERE id = ANY(%s)").format(outbox), ([r[0] for r in rows],))
        EVENTS_PUBLISHED.inc(len(outgoing))
        return len(rows)  # rows taken off the outbox: a full batch means there may be more

    async def _set_aside(self, db: psycopg.AsyncConnection[Any], schema: str, refused: list[tuple[int, str]]) -> None:
        """Refused rows move to the schema's `tenantry_outbox_rejected` with their reason, in the same transaction."""
        await db.execute(
            sql.SQL(
                "INSERT INTO {rejected} (event_id, routing_key, envelope, reason, created_at, rejected_at)"
                " SELECT o.event_id, o.routing_key, o.envelope, r.reason, o.created_at, now()"
                " FROM {outbox} o JOIN unnest(%s::bigint[], %s::text[]) AS r(id, reason) ON r.id = o.id"
            ).format(
                rejected=sql.Identifier(schema, "tenantry_outbox_rejected"),
                outbox=sql.Identifier(schema, "tenantry_outbox"),
            ),
            ([row_id for row_id, _ in refused], [reason for _, reason in refused]),
        )
        for _, reason in refused:
            logger.warning("the outbox of %s holds a row the relay will not publish (kept aside): %s", schema, reason)
        EVENTS_REFUSED.inc(len(refused))

    @property
    def publisher(self) -> str:
        """The relay's broker user, stamped on every message (the broker refuses any other name)."""
        return unquote(urlsplit(self.broker_url).username or "guest")

    async def _discover(self) -> list[str]:
        if self.schemas is not None:
            return list(self.schemas)
        db = await self._database()
        async with db.transaction():
            cursor = await db.execute(_OUTBOX_SCHEMAS)
            return [row[0] for row in await cursor.fetchall()]

    async def _listen(self, dirty: set[str], wake: asyncio.Event, stop: asyncio.Event) -> None:
        """Collect the schemas whose outbox got a commit; reconnects on its own."""
        backoff = Backoff()
        while not stop.is_set():
            try:
                async with await psycopg.AsyncConnection.connect(self.dsn, autocommit=True) as conn:
                    await conn.execute(sql.SQL("LISTEN {}").format(sql.Identifier(NOTIFY_CHANNEL)))
                    backoff.reset()
                    async for notify in conn.notifies():
                        dirty.add(notify.payload)
                        wake.set()
            except psycopg.Error as error:
                logger.warning("listening for outbox commits failed, sweeping meanwhile: %s", error)
                await _sleep_or_stop(stop, backoff.next_delay())

    async def _database(self) -> psycopg.AsyncConnection[Any]:
        if self._db is None or self._db.closed:
            self._db = await psycopg.AsyncConnection.connect(self.dsn, autocommit=True)
        return self._db

    async def _broker(self) -> aio_pika.abc.AbstractExchange:
        if self._exchange is None or self._connection is None or self._connection.is_closed:
            self._connection = await aio_pika.connect(self.broker_url, timeout=self.publish_timeout)
            channel = await self._connection.channel(publisher_confirms=True)
            self._exchange = await channel.declare_exchange(
                self.exchange_name, aio_pika.ExchangeType.TOPIC, durable=True, passive=not self.declare_exchange
            )
        return self._exchange

    async def _close_broker(self) -> None:
        connection, self._connection, self._exchange = self._connection, None, None
        if connection is not None:
            # A connection that died may never answer close-ok: don't wait for it long.
            await asyncio.gather(asyncio.wait_for(connection.close(), timeout=2.0), return_exceptions=True)

    async def _close_db(self) -> None:
        db, self._db = self._db, None
        if db is not None:
            await asyncio.gather(db.close(), return_exceptions=True)

    async def close(self) -> None:
        await self._close_broker()
        await self._close_db()


def refusal(tenant: str, routing_key: str, body: str) -> str | None:
    """Why a row of `tenant`'s outbox must not be published, or None.

    A tenant's database role can write its outbox by hand (dedicated tier): a row that is no
    CloudEvent, claims another tenant, or carries one of the platform's types is set aside here
    rather than published (consumers would refuse it too, but a publish the broker refuses would
    stall the batch, and every other tenant's events behind it).
    """
    try:
        event = Event.from_json(body)
    except EnvelopeError as error:
        return f"EnvelopeError: {error}"
    if event.tenant != tenant:
        return f"{FORGED_PRODUCER}: the outbox of {tenant!r} holds an event claiming tenant {event.tenant!r}"
    if routing_key.partition(".")[2] != event.type:
        return f"{FORGED_PRODUCER}: routing key {routing_key!r} does not match the event's type {event.type!r}"
    if event.type not in registry:
        return f"UnknownEventType: {event.type!r} is not a registered event type"
    if registry.get(event.type).producer != TENANT_PRODUCER:
        return f"{FORGED_PRODUCER}: {event.type} comes from the platform only, never from a store's outbox"
    return None


async def _sleep_or_stop(stop: asyncio.Event, delay: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), timeout=delay)


async def _wait_any(wake: asyncio.Event, stop: asyncio.Event, timeout: float) -> None:
    waiters = [asyncio.ensure_future(wake.wait()), asyncio.ensure_future(stop.wait())]
    try:
        await asyncio.wait(waiters, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for waiter in waiters:
            waiter.cancel()
