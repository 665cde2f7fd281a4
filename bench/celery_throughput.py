"""Celery trivial-task throughput on a tenant's own vhost, against a raw kombu publish/consume loop on the same broker.

A scratch tenant vhost and user are provisioned on the local RabbitMQ as the operator does it.
Each round sends N messages end to end twice, alternating which goes first:
- Celery: N `apply_async` of a trivial task (it increments a Redis counter) from this process,
  run by a real worker process (`celery -A tenant_app worker`, the production settings:
  acks_late, prefetch 1 per pool slot) with the chosen pool and concurrency = cores;
- baseline: the same N persistent messages published with kombu to a durable queue and
  consumed by a separate process with the same prefetch, acknowledging each after the same
  Redis increment.
Time runs from the first publish until the N-th increment. Prints messages/s of each, the
ratio, and what the publishing side alone managed. The vhost, the user, the queues and the
Redis keys are removed at the end, also on Ctrl-C, SIGTERM or an error.

    .venv/bin/python bench/celery_throughput.py [--messages 2000] [--rounds 3] [--pool prefork|threads]
"""

from __future__ import annotations

import argparse
import functools
import multiprocessing
import os
import secrets
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import FrameType
from typing import Any

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tenant_app.settings.production")
os.environ.setdefault("DJANGO_SECRET_KEY", secrets.token_urlsafe(64))
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "localhost")

import django
import kombu
import redis
from django.conf import settings

from tenant_app import celery_app
from tenantry_kernel.provisioning.broker import BrokerAdmin, delete_tenant_broker, ensure_tenant_broker
from tenantry_kernel.provisioning.plans import PlanName, plan_for

BENCH_DIR = Path(__file__).resolve().parent
TENANT_APP = BENCH_DIR.parent / "tenant-app"


@functools.cache
def counters() -> redis.Redis:
    # One client per process, made in the worker's pool process itself (never before the fork).
    return redis.Redis.from_url(settings.REDIS_URL)


@celery_app.task(name="bench.celery_throughput.touch", ignore_result=True)
def touch(counter: str) -> None:
    """The trivial task: one Redis increment, so the bench sees it done."""
    counters().incr(counter)


def _terminate(signum: int, _frame: FrameType | None) -> None:
    raise KeyboardInterrupt(f"signal {signum}")  # runs the cleanup in `finally`


def wait_for_count(client: redis.Redis, counter: str, expected: int, timeout: float) -> float:
    """perf_counter() when `counter` reached `expected`."""
    deadline = time.perf_counter() + timeout
    while (now := time.perf_counter()) < deadline:
        if int(client.get(counter) or 0) >= expected:
            return now
        time.sleep(0.002)
    raise TimeoutError(f"{counter} did not reach {expected} within {timeout} s")


def celery_round(client: redis.Redis, queue: str, messages: int, tag: str) -> tuple[float, float]:
    """(end-to-end seconds, publish seconds) for `messages` trivial tasks through the running worker."""
    counter = f"bench:celery:{tag}"
    started = time.perf_counter()
    with celery_app.producer_or_acquire() as producer:
        for _ in range(messages):
            touch.apply_async((counter,), queue=queue, producer=producer)
    published = time.perf_counter()
    done = wait_for_count(client, counter, messages, timeout=600)
    client.delete(counter)
    return done - started, published - started


def consume(broker_url: str, queue: str, messages: int, prefetch: int, redis_url: str, ready: Any) -> None:
    """The baseline consumer (its own process): ack each message after the same Redis increment."""
    client = redis.Redis.from_url(redis_url)
    seen = 0
    with kombu.Connection(broker_url) as connection:
        channel = connection.channel()
        channel.basic_qos(0, prefetch, False)

        def handle(body: object, message: kombu.Message) -> None:
            nonlocal seen
            client.incr(str(body))
            message.ack()
            seen += 1

        with kombu.Consumer(channel, queues=[kombu.Queue(queue, durable=True)], callbacks=[handle], accept=["json"]):
            ready.set()
            while seen < messages:
                connection.drain_events(timeout=60)


def kombu_round(
    broker_url: str, client: redis.Redis, queue: str, messages: int, prefetch: int, tag: str
) -> tuple[float, float]:
    counter = f"bench:kombu:{tag}"
    context = multiprocessing.get_context("spawn")
    ready = context.Event()
    consumer = context.Process(target=consume, args=(broker_url, queue, messages, prefetch, settings.REDIS_URL, ready))
    consumer.start()
    try:
        if not ready.wait(30):
            raise TimeoutError("the baseline consumer did not start")
        started = time.perf_counter()
        with kombu.Connection(broker_url) as connection:
            producer = connection.Producer(serializer="json")
            target = kombu.Queue(queue, durable=True)
            for _ in range(messages):
                producer.publish(counter, routing_key=queue, delivery_mode=2, declare=[target])
        published = time.perf_counter()
        done = wait_for_count(client, counter, messages, timeout=600)
    finally:
        consumer.join(timeout=60)
        if consumer.is_alive():
            consumer.kill()
    client.delete(counter)
    return done - started, published - started


def start_worker(broker_url: str, queue: str, pool: str, concurrency: int, log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as output:
        return subprocess.Popen(
            [
                *(sys.executable, "-m", "celery", "-A", "tenant_app", "worker", "--queues", queue),
                *("--pool", pool, "--concurrency", str(concurrency), "--include", "celery_throughput"),
                *("--hostname", f"bench-{secrets.token_hex(3)}@%h", "--without-gossip", "--without-mingle"),
                *("--loglevel", "WARNING"),
            ],
            cwd=BENCH_DIR,
            env={**os.environ, "BROKER_URL": broker_url, "PYTHONPATH": str(BENCH_DIR)},
            stdout=output,
            stderr=subprocess.STDOUT,
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--messages", type=int, default=2000, help="messages per measurement")
    parser.add_argument("--rounds", type=int, default=3, help="rounds, alternating which path goes first")
    parser.add_argument("--pool", choices=["prefork", "threads"], default="prefork", help="Celery worker pool")
    parser.add_argument("--concurrency", type=int, default=os.cpu_count() or 1, help="worker processes/threads")
    parser.add_argument("--admin-url", default="http://guest:guest@127.0.0.1:15672", help="RabbitMQ management API")
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, _terminate)
    django.setup()

    suffix = secrets.token_hex(4)
    slug = f"bench-{suffix}"
    celery_queue, kombu_queue = f"bench-celery-{suffix}", f"bench-kombu-{suffix}"
    admin = BrokerAdmin.from_url(args.admin_url)
    client = redis.Redis.from_url(settings.REDIS_URL)
    tenant_broker = ensure_tenant_broker(admin, slug, plan_for(PlanName.GROWTH), secrets.token_urlsafe(24))
    broker_url = tenant_broker.amqp_url()
    celery_app.conf.broker_url = broker_url
    results: dict[str, list[tuple[float, float]]] = {"celery": [], "kombu": []}
    worker: subprocess.Popen[bytes] | None = None
    log = Path(tempfile.mkdtemp(prefix="celery-throughput-")) / "worker.log"
    try:
        worker = start_worker(broker_url, celery_queue, args.pool, args.concurrency, log)
        # Warm up both paths (worker started, pool processes forked, queues declared).
        celery_round(client, celery_queue, 50, f"{suffix}-warmup")
        kombu_round(broker_url, client, kombu_queue, 50, args.concurrency, f"{suffix}-warmup")
        for index in range(args.rounds):
            order = ["celery", "kombu"] if index % 2 == 0 else ["kombu", "celery"]
            for path in order:
                tag = f"{suffix}-{index}"
                if path == "celery":
                    measured = celery_round(client, celery_queue, args.messages, tag)
                else:
                    measured = kombu_round(broker_url, client, kombu_queue, args.messages, args.concurrency, tag)
                results[path].append(measured)
                print(f"  round {index + 1} {path:6s} {args.messages / measured[0]:8.1f} messages/s end to end")
    except KeyboardInterrupt:
        print("interrupted; cleaning up and reporting what was measured")
    finally:
        if worker is not None:
            worker.terminate()
            try:
                worker.wait(timeout=30)
            except subprocess.TimeoutExpired:
                worker.kill()
                worker.wait()
        delete_tenant_broker(admin, slug)  # the vhost goes with its queues
        for key in client.scan_iter(f"bench:*:{suffix}*"):
            client.delete(key)
        print(f"cleaned up: vhost and user of {slug}")

    if not all(results.values()):
        return
    print(
        f"{args.messages} trivial messages per measurement, {len(results['celery'])} rounds, tenant vhost on "
        f"RabbitMQ, Celery worker pool {args.pool} x {args.concurrency} (acks_late, prefetch 1 per pool slot)"
    )
    rates = {}
    for path, label in (("celery", "Celery task"), ("kombu", "raw kombu")):
        end_to_end = [args.messages / seconds for seconds, _ in results[path]]
        publish = [args.messages / seconds for _, seconds in results[path]]
        rates[path] = statistics.median(end_to_end)
        print(
            f"  {label:11s} {rates[path]:8.1f} messages/s end to end (median; min {min(end_to_end):.1f}, "
            f"max {max(end_to_end):.1f})   publishing alone {statistics.median(publish):8.1f} messages/s"
        )
    print(f"  ratio Celery/raw kombu: {rates['celery'] / rates['kombu']:.2f}")


if __name__ == "__main__":
    main()
