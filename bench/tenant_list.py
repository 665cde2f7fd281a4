"""The shared tier's cost on an authenticated list: GET /api/v1/audit-events/ at 32 connections, shared vs dedicated.

One tenant (50 members, a full page of audit events) is provisioned on a scratch database as the
operator does it. Two uvicorn servers of the tenant app serve it with the same settings and number
of workers: shared mode (host -> route, then SET LOCAL ROLE and search_path in one transaction per
request) and, as the baseline with tenant routing disabled, dedicated mode (TENANT_SLUG set,
connected as the tenant's own role, whose search_path is its schema). Load comes from separate
processes (aiohttp, keep-alive connections), alternating between the two servers in rounds; each
phase warms up before it is measured. Prints throughput and p50/p99 of each, and the ratio. The
database, the roles and the servers are removed at the end, also on Ctrl-C, SIGTERM or an error.

    .venv/bin/python bench/tenant_list.py [--seconds 8] [--rounds 4] [--workers 1] [--connections 32]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import signal
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType

import aiohttp
import psycopg
import requests
from psycopg import sql
from stats import percentile  # bench/stats.py; bench scripts run from their folder

from tenantry_kernel.provisioning import routing
from tenantry_kernel.provisioning.database.migrations import ManagePyMigrationRunner, migrate_tenant_schema
from tenantry_kernel.provisioning.database.roles import grant_router_role
from tenantry_kernel.provisioning.database.schemas import TenantDatabase, ensure_tenant_database
from tenantry_kernel.provisioning.naming import role_name
from tenantry_kernel.provisioning.plans import PlanName, plan_for
from tenantry_kernel.testing import free_port, wait_for_http

TENANT_APP = Path(__file__).resolve().parents[1] / "tenant-app"
SETTINGS = "tenant_app.settings.production"
# Under ASGI each request runs in a thread of its own; the psycopg pool (DATABASE_POOL_SIZE, as the
# operator sets it) shares a few connections instead of leaving one open per thread.
POOL_SIZE = "16"
PATH = "/api/v1/audit-events/"
PASSWORD = secrets.token_urlsafe(16)
TARGET_RATIO = 0.9
# Runs as the tenant (manage.py shell connected as its role): members, and a sign-in event of each.
# The store lets its administrators sign in with a password alone (its choice), so the bench needs no TOTP.
SEED = """
from tenant_app.access.models import Role
from tenant_app.accounts.models import User
from tenant_app.audit.actions import record_security_event
from tenant_app.audit.models import AuditEventType
Role.objects.filter(slug="admin").update(requires_two_factor=False)
User.objects.create_user("admin@bench.test", {password!r}, role=Role.objects.get(slug="admin"))
for n in range({members}):
    member = User.objects.create_user(f"member{{n:02}}@bench.test")
    record_security_event(None, AuditEventType.SIGN_IN, actor=member, method="password")
"""


@dataclass
class Phase:
    """What the load generators measured against one server in one round."""

    seconds: float
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    load_cpu_seconds: float = 0.0


def _terminate(signum: int, _frame: FrameType | None) -> None:
    raise KeyboardInterrupt(f"signal {signum}")  # runs the cleanup in `finally`


async def _load(url: str, headers: dict[str, str], connections: int, warmup: float, seconds: float) -> Phase:
    """`connections` keep-alive connections, each sending the next request when the last one answered."""
    phase = Phase(seconds)
    measure_from = time.perf_counter() + warmup
    until = measure_from + seconds
    connector = aiohttp.TCPConnector(limit=connections)
    async with aiohttp.ClientSession(connector=connector, headers=headers) as session:

        async def connection() -> None:
            while (started := time.perf_counter()) < until:
                async with session.get(url) as response:
                    await response.read()
                finished = time.perf_counter()
                if measure_from <= finished <= until:
                    if response.status == 200:
                        phase.latencies.append(finished - started)
                    else:
                        phase.errors += 1

        await asyncio.gather(*(connection() for _ in range(connections)))
    return phase


def load_process(url: str, headers: dict[str, str], connections: int, warmup: float, seconds: float) -> Phase:
    cpu_before = time.process_time()
    phase = asyncio.run(_load(url, headers, connections, warmup, seconds))
    phase.load_cpu_seconds = time.process_time() - cpu_before
    return phase


def measure(pool: ProcessPoolExecutor, url: str, headers: dict[str, str], args: argparse.Namespace) -> Phase:
    processes = args.load_processes
    shares = [args.connections // processes + (index < args.connections % processes) for index in range(processes)]
    futures = [pool.submit(load_process, url, headers, share, args.warmup, args.seconds) for share in shares]
    total = Phase(args.seconds)
    for future in futures:
        part = future.result()
        total.latencies += part.latencies
        total.errors += part.errors
        total.load_cpu_seconds += part.load_cpu_seconds
    return total


def start_server(mode: str, env: dict[str, str], workers: int, logs: Path) -> tuple[subprocess.Popen[str], str]:
    port = free_port()
    env = {**env, "DJANGO_SETTINGS_MODULE": SETTINGS, "DATABASE_POOL_SIZE": POOL_SIZE}
    log = (logs / f"{mode}.log").open("w")
    process = subprocess.Popen(
        [
            *(sys.executable, "-m", "tenantry_kernel.serve", "tenant_app.asgi:application"),
            *("--service", "tenant-app", "--port", str(port), "--workers", str(workers)),
        ],
        cwd=TENANT_APP,
        env={**os.environ, **env},
        stdout=log,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base_url = f"http://127.0.0.1:{port}"
    wait_for_http(f"{base_url}/healthz", process=process)
    return process, base_url


def sign_in(base_url: str, host: str) -> dict[str, str]:
    response = requests.post(
        f"{base_url}/api/v1/auth/sign-in/",
        json={"email": "admin@bench.test", "password": PASSWORD},
        headers={"Host": host},
        timeout=30,
    )
    response.raise_for_status()
    return {"Host": host, "Authorization": f"Bearer {response.json()['access']}"}


def provision(server: str, dbname: str, slug: str, router: str, router_password: str, members: int) -> TenantDatabase:
    admin_dsn = f"{server}/{dbname}"
    tenant = ensure_tenant_database(admin_dsn, slug, plan_for(PlanName.GROWTH), secrets.token_urlsafe(24))
    runner = ManagePyMigrationRunner(TENANT_APP / "manage.py", SETTINGS)
    migrate_tenant_schema(tenant, runner)
    runner.run(tenant, "shell", "-c", SEED.format(password=PASSWORD, members=members))
    routing.ensure_routes(admin_dsn, slug, [f"{slug}.localhost"], suspended=False)
    # The shared deployment's own role, as the operator sets it up: it may become the tenant, nothing more.
    with psycopg.connect(admin_dsn, autocommit=True) as conn:
        ident = sql.Identifier(router)
        conn.execute(sql.SQL("CREATE ROLE {} LOGIN NOINHERIT PASSWORD {}").format(ident, sql.Literal(router_password)))
        conn.execute(sql.SQL("GRANT CONNECT ON DATABASE {} TO {}").format(sql.Identifier(dbname), ident))
        conn.execute(sql.SQL("GRANT SELECT ON public.tenantry_routes TO {}").format(ident))
    grant_router_role(admin_dsn, slug, router)
    return tenant


def cleanup(server: str, dbname: str, roles: list[str]) -> None:
    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(dbname)))
        for role in roles:
            conn.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(role)))
    print(f"cleaned up: database {dbname}, roles {', '.join(roles)}")


def report(label: str, phases: list[Phase]) -> float:
    latencies = [latency for phase in phases for latency in phase.latencies]
    seconds = sum(phase.seconds for phase in phases)
    throughput = len(latencies) / seconds
    errors = sum(phase.errors for phase in phases)
    print(
        f"  {label:9s} {throughput:8.1f} req/s   p50 {percentile(latencies, 0.5) * 1000:6.1f} ms"
        f"   p99 {percentile(latencies, 0.99) * 1000:6.1f} ms   ({len(latencies)} requests, {errors} errors)"
    )
    return throughput


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--server", default="postgresql://postgres@127.0.0.1:5432")
    parser.add_argument("--seconds", type=float, default=8.0, help="measured seconds per server and round")
    parser.add_argument("--warmup", type=float, default=2.0, help="unmeasured seconds before each measurement")
    parser.add_argument("--rounds", type=int, default=4, help="rounds, alternating which server goes first")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--workers", type=int, default=1, help="uvicorn worker processes of each server")
    parser.add_argument("--load-processes", type=int, default=1, help="load generator processes")
    parser.add_argument("--members", type=int, default=50)
    args = parser.parse_args()
    if 2 * args.rounds * (args.seconds + args.warmup) > 240:
        parser.error("keep the run under 4 minutes: the access token lives 5")
    signal.signal(signal.SIGTERM, _terminate)

    suffix = secrets.token_hex(4)
    dbname, slug, router = f"tenantry_bench_{suffix}", f"bench-{suffix}", f"tenantry_bench_router_{suffix}"
    host, router_password = f"{slug}.localhost", secrets.token_urlsafe(24)
    roles = [role_name(slug), router]
    # Identical settings for both servers; the budgets are out of the way of a load test.
    os.environ.update(
        DJANGO_SECRET_KEY=secrets.token_urlsafe(64),
        DJANGO_ALLOWED_HOSTS=f"{host},127.0.0.1",
        DJANGO_SECURE_SSL_REDIRECT="false",
        API_RATE_PER_USER="1000000000/min",
        API_RATE_PER_TENANT="1000000000/min",
        DATABASE_URL="",
    )
    servers: list[subprocess.Popen[str]] = []
    phases: dict[str, list[Phase]] = {"shared": [], "dedicated": []}
    load_cpu = 0.0
    with psycopg.connect(f"{args.server}/postgres", autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(dbname)))
    try:
        tenant = provision(args.server, dbname, slug, router, router_password, args.members)
        server_host = args.server.split("@", 1)[1]
        modes = {
            "shared": {"DATABASE_URL": f"postgresql://{router}:{router_password}@{server_host}/{dbname}"},
            "dedicated": {"DATABASE_URL": tenant.dsn(), "TENANT_SLUG": slug},
        }
        logs = Path(tempfile.mkdtemp(prefix="tenant-list-"))
        urls, headers = {}, {}
        for mode, env in modes.items():
            process, base_url = start_server(mode, env, args.workers, logs)
            servers.append(process)
            urls[mode], headers[mode] = f"{base_url}{PATH}", sign_in(base_url, host)
            page = requests.get(urls[mode], headers=headers[mode], timeout=30)
            page.raise_for_status()
            assert len(page.json()["results"]) == 50, f"{mode}: expected a full page of events, got {page.text}"
        with ProcessPoolExecutor(args.load_processes) as pool:
            for index in range(args.rounds):
                order = ["shared", "dedicated"] if index % 2 == 0 else ["dedicated", "shared"]
                for mode in order:
                    phase = measure(pool, urls[mode], headers[mode], args)
                    phases[mode].append(phase)
                    load_cpu += phase.load_cpu_seconds
                    print(f"  round {index + 1} {mode:9s} {len(phase.latencies) / phase.seconds:8.1f} req/s")
    except KeyboardInterrupt:
        print("interrupted; cleaning up and reporting what was measured")
    finally:
        for process in servers:
            process.terminate()
        for process in servers:
            process.wait(timeout=30)
        cleanup(args.server, dbname, roles)

    if not all(phases.values()):
        return
    print(
        f"{PATH} as an admin, {args.connections} connections, {args.workers} uvicorn worker(s) per server, "
        f"{len(phases['shared'])} x {args.seconds:.0f} s per server after {args.warmup:.0f} s warm-ups"
    )
    shared, dedicated = report("shared", phases["shared"]), report("dedicated", phases["dedicated"])
    ratio = shared / dedicated
    verdict = "meets" if ratio >= TARGET_RATIO else "misses"
    print(f"  ratio shared/dedicated throughput: {ratio:.2f} ({verdict} the target >= {TARGET_RATIO})")
    wall = sum(phase.seconds + args.warmup for mode in phases.values() for phase in mode)
    busy = load_cpu / (wall * args.load_processes)
    print(f"  each load generator process kept a core busy {busy:.0%} of the time (far below 100%: not the bottleneck)")


if __name__ == "__main__":
    main()
