"""Outbox relay throughput and commit → handled latency, on the real PostgreSQL and RabbitMQ.

1. Throughput: N events waiting in the outboxes of S tenant schemas of a scratch database
   (as on a shard after a burst); one relay drains them all to `tenantry.events` with publisher
   confirms, deleting each batch after its confirms. Baseline in the same run: the same messages
   published by aio-pika with confirms straight from memory (no database), the broker's ceiling.
2. Latency: events emitted one transaction at a time at a steady rate through the control plane's
   `emit`, relayed by a running relay (woken by NOTIFY) and handled by a consumer (inbox +
   handler transaction); the time from the emitting commit to the handler's commit, p50/p95/p99.

The scratch database and the bench's queues are removed at the end.

    .venv/bin/python bench/events_relay.py [--events 20000] [--schemas 10] [--rate 200] [--samples 1000]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import aio_pika
import psycopg
from psycopg import sql
from stats import percentile  # bench/stats.py; bench scripts run from their folder

ROOT = Path(__file__).resolve().parents[1]
BROKER_URL = "amqp://guest:guest@127.0.0.1:5672/tenantry"
ADMIN_DSN = "host=127.0.0.1 port=5432 user=postgres dbname=postgres"
THROUGHPUT_TARGET = 2000.0
LATENCY_TARGET_MS = 250.0


def envelope(tenant: str, index: int) -> str:
    return json.dumps(
        {
            "specversion": "1.0", "id": str(uuid.uuid4()), "source": "/bench", "type": "usage.reported",
            "time": "2026-11-26T00:00:00Z", "tenant": tenant, "subject": f"usage/{index % 50}",
            "data": {"metric": "orders", "quantity": index, "period_start": "2026-11-01T00:00:00Z",
                     "period_end": "2026-11-02T00:00:00Z"},
        }
    )  # fmt: skip


def create_scratch(name: str) -> str:
    with psycopg.connect(ADMIN_DSN, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    env = {**os.environ, "PGDATABASE": name, "DJANGO_SETTINGS_MODULE": "control_plane.settings.local"}
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT / "platform", env=env, check=True)
    return ADMIN_DSN.replace("dbname=postgres", f"dbname={name}")


def drop_scratch(name: str) -> None:
    with psycopg.connect(ADMIN_DSN, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def fill_outboxes(dsn: str, events: int, schemas: int) -> list[str]:
    names = [f"t_bench_{index}" for index in range(schemas)]
    with psycopg.connect(dsn) as conn:
        for schema in names:
            conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
            conn.execute(
                sql.SQL("CREATE TABLE {} (LIKE public.tenantry_outbox INCLUDING ALL)").format(
                    sql.Identifier(schema, "tenantry_outbox")
                )
            )
        for index in range(events):
            schema = names[index % schemas]
            tenant = schema.replace("t_", "").replace("_", "-")
            body = envelope(tenant, index)
            conn.execute(
                sql.SQL(
                    "INSERT INTO {} (event_id, routing_key, envelope, created_at) VALUES (%s, %s, %s, now())"
                ).format(sql.Identifier(schema, "tenantry_outbox")),
                (json.loads(body)["id"], f"{tenant}.usage.reported", body),
            )
    return names


async def count_until(queue: aio_pika.abc.AbstractQueue, expected: int) -> None:
    seen = 0
    async with queue.iterator(no_ack=True) as messages:
        async for _ in messages:
            seen += 1
            if seen >= expected:
                return


async def measure_throughput(dsn: str, events: int, schemas: int) -> tuple[float, float]:
    from tenantry_kernel.events.relay import Relay

    fill_outboxes(dsn, events, schemas)
    connection = await aio_pika.connect(BROKER_URL)
    channel = await connection.channel()
    exchange = await channel.declare_exchange("tenantry.events", aio_pika.ExchangeType.TOPIC, durable=True)
    queue = await channel.declare_queue(f"bench.relay.{secrets.token_hex(4)}", exclusive=True)
    for index in range(schemas):  # a topic `*` matches a whole word: bind each tenant's key
        await queue.bind(exchange, f"bench-{index}.usage.reported")
    try:
        relay = Relay(dsn, BROKER_URL, batch_size=500)
        counting = asyncio.create_task(count_until(queue, events))
        started = time.perf_counter()
        published = await relay.relay_once()
        await counting
        relay_seconds = time.perf_counter() - started
        await relay.close()
        assert published == events, f"the relay published {published} of {events}"

        # Baseline: the same number of messages, confirmed, straight from memory.
        bodies = [envelope("bench-0", index).encode() for index in range(events)]
        confirming = await connection.channel(publisher_confirms=True)
        target = await confirming.get_exchange("tenantry.events")
        counting = asyncio.create_task(count_until(queue, events))
        started = time.perf_counter()
        for offset in range(0, events, 500):
            await asyncio.gather(
                *(
                    target.publish(aio_pika.Message(body, delivery_mode=aio_pika.DeliveryMode.PERSISTENT),
                                   routing_key="bench-0.usage.reported")
                    for body in bodies[offset : offset + 500]
                )
            )  # fmt: skip
        await counting
        baseline_seconds = time.perf_counter() - started
    finally:
        await connection.close()
    return events / relay_seconds, events / baseline_seconds


def measure_latency(rate: float, samples: int) -> list[float]:
    import django
    from django.db import connection, transaction

    django.setup()
    from tenantry_kernel.events.consumer import Subscription
    from tenantry_kernel.events.envelope import Event
    from tenantry_kernel.events.outbox import emit
    from tenantry_kernel.events.relay import Relay
    from tenantry_kernel.events.settings import database_dsn
    from tenantry_kernel.testing.events import delete_queues, running_consumer, running_relay, subscription_queues

    committed: dict[str, float] = {}
    handled: dict[str, float] = {}
    done = threading.Event()

    def on_usage(event: Event) -> None:
        event_id = event.id
        transaction.on_commit(lambda: handled.__setitem__(event_id, time.perf_counter()))
        if len(handled) + 1 >= samples:
            transaction.on_commit(done.set)

    tenant = f"bench-{secrets.token_hex(3)}"
    subscription = Subscription(
        name=f"bench.latency.{secrets.token_hex(4)}",
        bindings=[f"{tenant}.usage.reported"],
        handlers={"usage.reported": on_usage},
    )
    usage = {"metric": "orders", "quantity": 1, "period_start": "2026-11-01T00:00:00Z",
             "period_end": "2026-11-02T00:00:00Z"}  # fmt: skip
    try:
        with (
            running_consumer(subscription, BROKER_URL),
            running_relay(Relay(database_dsn(), BROKER_URL, schemas=["public"], sweep_interval=5.0)),
        ):
            time.sleep(0.5)
            interval = 1.0 / rate
            next_at = time.perf_counter()
            for _ in range(samples):
                with transaction.atomic():
                    event = emit("usage.reported", usage, tenant=tenant)
                committed[event.id] = time.perf_counter()
                next_at += interval
                time.sleep(max(0.0, next_at - time.perf_counter()))
            done.wait(timeout=60)
    finally:
        delete_queues(BROKER_URL, subscription_queues(subscription))
        connection.close()
    return [(handled[key] - committed[key]) * 1000 for key in committed if key in handled]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=20000)
    parser.add_argument("--schemas", type=int, default=10)
    parser.add_argument("--rate", type=float, default=200.0, help="events per second in the latency phase")
    parser.add_argument("--samples", type=int, default=1000)
    args = parser.parse_args()

    sys.path[:0] = [str(ROOT / "platform"), str(ROOT / "kernel")]
    name = f"bench_events_{secrets.token_hex(3)}"
    os.environ["PGDATABASE"] = name
    os.environ["DJANGO_SETTINGS_MODULE"] = "control_plane.settings.local"
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    dsn = create_scratch(name)
    try:
        from tenantry_kernel.testing.events import ensure_events_exchange

        ensure_events_exchange()
        relay_rate, baseline_rate = asyncio.run(measure_throughput(dsn, args.events, args.schemas))
        print(f"relay throughput: {args.events} events from {args.schemas} schemas")
        print(
            f"  relay (read, publish with confirms, delete): {relay_rate:8.0f} events/s "
            f"(target >= {THROUGHPUT_TARGET:.0f}: {'met' if relay_rate >= THROUGHPUT_TARGET else 'MISSED'})"
        )
        print(f"  baseline (aio-pika publish with confirms from memory): {baseline_rate:8.0f} events/s")
        print(f"  ratio relay / baseline: {relay_rate / baseline_rate:.2f}")

        latencies = measure_latency(args.rate, args.samples)
        p95 = percentile(latencies, 0.95)
        print(f"commit -> handled latency: {len(latencies)} of {args.samples} events at {args.rate:.0f}/s")
        print(
            f"  p50 {percentile(latencies, 0.5):.1f} ms, p95 {p95:.1f} ms, p99 {percentile(latencies, 0.99):.1f} ms "
            f"(target p95 <= {LATENCY_TARGET_MS:.0f} ms: {'met' if p95 <= LATENCY_TARGET_MS else 'MISSED'})"
        )
    finally:
        drop_scratch(name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
