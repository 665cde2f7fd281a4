"""WebSocket push latency: 500 connected clients of one store, notifications from the action to each client.

One tenant is provisioned on a scratch database as the operator does it (schema, role, migrations),
with `--users` staff members; the tenant app runs under uvicorn (one worker, production settings,
dedicated mode: connected as the tenant's role) with the Redis pub/sub channel layer. Client
processes (asyncio + websockets) open `--users x --connections-per-user` WebSockets with the
members' access tokens. Then, in rounds, this process calls the notifications actions as the app
would: alternately `notify_tenant` (one push to the tenant's group, a row for each member) and
`notify` for each member in turn (one action call and one push to that user's group each); each
notification carries the monotonic clock reading taken just before the action was called, and each
client records when it arrived. Latency = arrival - that reading: the action's insert and commit,
the publish to Redis, the server's fan-out and the WebSocket send. Prints p50/p95/p99/max per kind
of push and overall, deliveries missing, and the machine's load (the figures double on a busy
machine). The database, the role and the server are removed at the end, also on Ctrl-C, SIGTERM or
an error.

    .venv/bin/python bench/ws_push.py [--users 50] [--connections-per-user 10] [--rounds 20] [--client-processes 2]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import secrets
import signal
import tempfile
import time
import uuid
from pathlib import Path
from types import FrameType
from typing import Any, NamedTuple
from urllib.parse import urlsplit

import psycopg
from psycopg import sql
from stats import percentile  # bench/stats.py; bench scripts run from their folder
from tenant_list import cleanup, start_server  # the same server start and clean-up as the list benchmark
from websockets.asyncio.client import ClientConnection, connect
from websockets.typing import Subprotocol

from tenantry_kernel.provisioning.database.migrations import ManagePyMigrationRunner, migrate_tenant_schema
from tenantry_kernel.provisioning.database.schemas import ensure_tenant_database
from tenantry_kernel.provisioning.naming import role_name
from tenantry_kernel.provisioning.plans import PlanName, plan_for

TENANT_APP = Path(__file__).resolve().parents[1] / "tenant-app"
SETTINGS = "tenant_app.settings.production"
TARGET_P95_MS = 50.0
STOP_KIND = "bench.stop"


def _terminate(signum: int, _frame: FrameType | None) -> None:
    raise KeyboardInterrupt(f"signal {signum}")  # runs the cleanup in `finally`


# ---- Client processes ---------------------------------------------------------------------


class Sample(NamedTuple):
    """One delivery: the round, its kind of push ("tenant" or "user"), and seconds from the action's call."""

    round: int
    kind: str
    seconds: float


async def _open(
    url: str, host: str, token: str, port: int, gate: asyncio.Semaphore, compression: str | None
) -> ClientConnection:
    async with gate:
        protocols = [Subprotocol("tenantry.notifications.v1"), Subprotocol(f"bearer.{token}")]
        # Connect to loopback, say the store's host (`*.localhost` does not resolve for Python here).
        options: dict[str, Any] = {"proxy": None, "open_timeout": 60, "compression": compression}
        ws = await connect(url, host="127.0.0.1", port=port, subprotocols=protocols, **options)
        ready = json.loads(await ws.recv())
        assert ready["type"] == "ready", ready
        return ws


async def _listen(ws: ClientConnection, samples: list[Sample]) -> None:
    async for raw in ws:
        arrived = time.monotonic()
        message = json.loads(raw)
        if message.get("type") != "notification":
            continue
        if message["kind"] == STOP_KIND:
            return
        data = message["data"]
        samples.append(Sample(data["round"], data["push"], arrived - data["sent_at"]))


async def _clients(url: str, host: str, tokens: list[str], compression: str | None, ready: Any) -> list[Sample]:
    port = urlsplit(url).port
    assert port is not None
    gate = asyncio.Semaphore(50)  # handshakes in flight at once
    connections = await asyncio.gather(*(_open(url, host, token, port, gate, compression) for token in tokens))
    ready.put(len(connections))
    samples: list[Sample] = []
    try:
        await asyncio.gather(*(_listen(ws, samples) for ws in connections))
    finally:
        await asyncio.gather(*(ws.close() for ws in connections), return_exceptions=True)
    return samples


def client_process(url: str, host: str, tokens: list[str], compression: str | None, ready: Any, results: Any) -> None:
    results.put(asyncio.run(_clients(url, host, tokens, compression, ready)))


# ---- The store ----------------------------------------------------------------------------


def provision(server: str, dbname: str, slug: str) -> str:
    """The tenant's schema and role on the scratch database; its DATABASE_URL."""
    tenant = ensure_tenant_database(f"{server}/{dbname}", slug, plan_for(PlanName.GROWTH), secrets.token_urlsafe(24))
    migrate_tenant_schema(tenant, ManagePyMigrationRunner(TENANT_APP / "manage.py", SETTINGS))
    return tenant.dsn()


def members_with_tokens(slug: str, users: int) -> list[tuple[Any, str]]:
    """`users` staff members and an access token each (this process runs Django as the tenant)."""
    from tenant_app.access.models import Role
    from tenant_app.accounts.models import User
    from tenant_app.accounts.tokens import refresh_token_for
    from tenant_app.tenancy.context import as_tenant

    with as_tenant(slug):
        staff = Role.objects.get(slug="staff")
        members = [User.objects.create_user(f"member{n:03}@bench.test", role=staff) for n in range(users)]
        return [(user, str(refresh_token_for(user, slug, str(uuid.uuid4())).access_token)) for user in members]


def push_round(slug: str, members: list[Any], number: int, push: str) -> list[float]:
    """One round of notifications (every member gets one); the seconds each action call took."""
    from django.db import transaction

    from tenant_app.notifications import actions
    from tenant_app.tenancy.context import as_tenant

    calls = []
    for member in members if push == "user" else [None]:
        sent_at = time.monotonic()
        data = {"round": number, "push": push, "sent_at": sent_at}
        with as_tenant(slug), transaction.atomic():  # pushed when this commits, as after a request
            if push == "tenant":
                actions.notify_tenant("bench.round", f"Round {number}", data=data)
            elif push == "user":
                actions.notify([member], "bench.round", f"Round {number}", data=data)
            else:
                actions.notify_tenant(STOP_KIND, "Stop")
        calls.append(time.monotonic() - sent_at)
    return calls


def report(label: str, samples: list[float], expected: int) -> float:
    p95 = percentile(samples, 0.95) * 1000
    print(
        f"  {label:12s} p50 {percentile(samples, 0.5) * 1000:6.1f} ms   p95 {p95:6.1f} ms"
        f"   p99 {percentile(samples, 0.99) * 1000:6.1f} ms   max {max(samples) * 1000:6.1f} ms"
        f"   ({len(samples)} of {expected} deliveries)"
    )
    return p95


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--server", default="postgresql://postgres@127.0.0.1:5432")
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--connections-per-user", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=20, help="measured rounds, alternating tenant-wide and per-user")
    parser.add_argument("--warmup", type=int, default=4, help="unmeasured rounds first")
    parser.add_argument("--interval", type=float, default=0.5, help="seconds between rounds")
    parser.add_argument("--client-processes", type=int, default=2)
    parser.add_argument(
        "--no-compression", action="store_true", help="clients offer no permessage-deflate (browsers always do)"
    )
    args = parser.parse_args()
    if (args.rounds + args.warmup) * args.interval > 200:
        parser.error("keep the run under 4 minutes: the access tokens live 5")
    signal.signal(signal.SIGTERM, _terminate)

    suffix = secrets.token_hex(4)
    dbname, slug = f"tenantry_bench_{suffix}", f"bench-{suffix}"
    host = f"{slug}.localhost"
    os.environ.update(
        DJANGO_SECRET_KEY=secrets.token_urlsafe(64),
        DJANGO_ALLOWED_HOSTS=f"{host},127.0.0.1",
        DJANGO_SECURE_SSL_REDIRECT="false",
        DJANGO_SETTINGS_MODULE=SETTINGS,
        DATABASE_URL="",
    )
    server_process = None
    clients: list[multiprocessing.process.BaseProcess] = []
    samples: list[Sample] = []
    action_seconds: dict[str, list[float]] = {"tenant": [], "user": []}
    sockets = args.users * args.connections_per_user
    measured = 0
    django_ready = False
    with psycopg.connect(f"{args.server}/postgres", autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(dbname)))
    try:
        # This process runs Django as the tenant (dedicated mode) to call the actions; so does the server.
        os.environ.update(DATABASE_URL=provision(args.server, dbname, slug), TENANT_SLUG=slug)
        import django

        django.setup()
        django_ready = True
        members = members_with_tokens(slug, args.users)
        server_process, base_url = start_server("ws-push", {}, 1, Path(tempfile.mkdtemp(prefix="ws-push-")))
        url = base_url.replace("http://", "ws://").replace("127.0.0.1", host) + "/ws/notifications/"

        context = multiprocessing.get_context("spawn")  # nothing of this process's Django state in the clients
        ready, results = context.Queue(), context.Queue()
        tokens = [token for _, token in members for _ in range(args.connections_per_user)]
        shares = [tokens[index :: args.client_processes] for index in range(args.client_processes)]
        for share in shares:
            compression = None if args.no_compression else "deflate"
            clients.append(context.Process(target=client_process, args=(url, host, share, compression, ready, results)))
            clients[-1].start()
        started = time.monotonic()
        connected = sum(ready.get(timeout=300) for _ in clients)
        print(f"{connected} WebSockets open in {time.monotonic() - started:.1f} s ({args.users} users)")

        users = [user for user, _ in members]
        for number in range(args.warmup + args.rounds):
            push = "tenant" if number % 2 == 0 else "user"
            seconds = push_round(slug, users, number, push)
            if number >= args.warmup:
                action_seconds[push] += seconds
                measured += 1
            time.sleep(args.interval)
        push_round(slug, users, -1, "stop")
        for _ in clients:
            samples += [sample for sample in results.get(timeout=60) if sample.round >= args.warmup]
    except KeyboardInterrupt:
        print("interrupted; cleaning up")
    finally:
        for process in clients:
            process.join(timeout=10)
            if process.is_alive():
                process.terminate()
        if server_process is not None:
            server_process.terminate()
            server_process.wait(timeout=30)
        if django_ready:
            from django.db import connections

            connections.close_all()
        cleanup(args.server, dbname, [role_name(slug)])

    if not samples:
        return
    per_round = sockets
    print(
        f"WebSocket push latency, {sockets} clients ({args.users} users x {args.connections_per_user}), "
        f"1 uvicorn worker, {args.client_processes} client processes, {measured} rounds after {args.warmup} warm-ups,"
        f" permessage-deflate {'off' if args.no_compression else 'on'}"
    )
    rounds = {"tenant": len(action_seconds["tenant"]), "user": len(action_seconds["user"]) // args.users}
    for push, label in (("tenant", "tenant-wide"), ("user", "per-user")):
        latencies = [sample.seconds for sample in samples if sample.kind == push]
        report(label, latencies, rounds[push] * per_round)
        action_ms = percentile(action_seconds[push], 0.5) * 1000
        print(f"  {'':12s} of which the action call (insert, commit, publish): p50 {action_ms:.1f} ms")
    p95 = report("all", [s.seconds for s in samples], measured * per_round)
    verdict = "meets" if p95 <= TARGET_P95_MS else "misses"
    load = os.getloadavg()[0]  # other work on the machine moves these figures a lot
    print(f"  p95 {p95:.1f} ms {verdict} the target <= {TARGET_P95_MS:.0f} ms ({os.cpu_count()} CPUs, load {load:.1f})")


if __name__ == "__main__":
    main()
