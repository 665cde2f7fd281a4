"""The portal's server-rendered marketplace search: GET /search?q=… p95 at 20 concurrent users, with the
control plane's GET /api/v1/search/?q=… alone as the baseline, in the same run on the same data.

A scratch database gets the search app's migrations and --products published products in --tenants ready
stores (bench/search.py's generator: names, descriptions, prices; straight into the projection's tables). Each
component runs in its own process, as `make up` runs them: the control plane (`python -m
tenantry_kernel.serve`, local settings, one worker, a pool of 4 database connections) and the portal (`next
start` on its production build; built first when its sources changed). Load comes from separate processes
(aiohttp, keep-alive connections; each user reads a page for --think seconds on average, 0.5x to 1.5x, before
asking for the next one, and 0 sends them back to back: a stress test, not users), drawing queries from the
vocabulary (one to three words, some with a typo). The phases alternate (API, portal, API, portal, …), each
after a warm-up. Prints p50/p95/p99 of each, the portal's cost over the API alone (the ratio and the
difference), and how busy each process kept its core: a process at ~100% of a core is the bottleneck (node
serves on one thread; the load generators must stay well below it). The per-address search budget is raised
for the run (every request comes from 127.0.0.1). The database and the servers are removed at the end, also on
Ctrl-C or SIGTERM.

    set -a && . .local/services.env && set +a
    .venv/bin/python bench/portal_search.py [--products 20000] [--tenants 200] [--users 20] [--think 1] [--seconds 10]

Where the portal's time goes: --profile-portal DIR runs `next start` under `node --cpu-prof` (a V8 CPU profile of the
whole run, written to DIR when the server stops); `python bench/cpuprofile.py DIR/*.cpuprofile --last 30` sums it up.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
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
from urllib.parse import quote_plus

import aiohttp
import psutil
import psycopg
import requests
from psycopg import sql
from search import migrate, search_inputs, seed  # bench/search.py: the same data and queries
from stats import percentile  # bench/stats.py; bench scripts run from their folder

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "dev"))

import portal as portal_web  # noqa: E402 (dev/portal.py: the build check and `next start`, as make up runs it)
from services import load_env  # noqa: E402

from tenantry_kernel.testing import free_port, wait_for_http  # noqa: E402

TARGET_P95_MS = 100.0


@dataclass
class Phase:
    label: str
    seconds: float
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    load_cpu_seconds: float = 0.0
    server_cpu_seconds: float = 0.0


def _terminate(signum: int, _frame: FrameType | None) -> None:
    raise KeyboardInterrupt(f"signal {signum}")  # runs the cleanup in `finally`


async def _load(urls: list[str], users: int, warmup: float, seconds: float, check: str, think: float) -> Phase:
    phase = Phase("", seconds)
    measure_from = time.perf_counter() + warmup
    until = measure_from + seconds
    connector = aiohttp.TCPConnector(limit=users)
    async with aiohttp.ClientSession(connector=connector) as session:

        async def user(index: int) -> None:
            turn = index * 7
            pause = random.Random(index)
            await asyncio.sleep(pause.uniform(0, think))  # the users do not all start at once
            while (started := time.perf_counter()) < until:
                url = urls[turn % len(urls)]
                turn += 1
                async with session.get(url) as response:
                    body = await response.text()
                finished = time.perf_counter()
                if measure_from <= finished <= until:
                    if response.status == 200 and check in body:
                        phase.latencies.append(finished - started)
                    else:
                        phase.errors += 1
                if think:
                    await asyncio.sleep(pause.uniform(0.5 * think, 1.5 * think))  # reading the page

        await asyncio.gather(*(user(index) for index in range(users)))
    return phase


def load_process(urls: list[str], users: int, warmup: float, seconds: float, check: str, think: float) -> Phase:
    cpu_before = time.process_time()
    phase = asyncio.run(_load(urls, users, warmup, seconds, check, think))
    phase.load_cpu_seconds = time.process_time() - cpu_before
    return phase


def cpu_seconds(process: psutil.Process) -> float:
    """CPU time of a server and its children (uvicorn's and next's workers)."""
    total = 0.0
    for each in [process, *process.children(recursive=True)]:
        try:
            times = each.cpu_times()
            total += times.user + times.system
        except psutil.NoSuchProcess:
            pass
    return total


def measure(
    pool: ProcessPoolExecutor, label: str, urls: list[str], check: str, server: psutil.Process, args: argparse.Namespace
) -> Phase:
    processes = args.load_processes
    shares = [args.users // processes + (index < args.users % processes) for index in range(processes)]
    server_before = cpu_seconds(server)
    started = time.perf_counter()
    futures = [pool.submit(load_process, urls, share, args.warmup, args.seconds, check, args.think) for share in shares]
    total = Phase(label, args.seconds)
    for future in futures:
        part = future.result()
        total.latencies += part.latencies
        total.errors += part.errors
        total.load_cpu_seconds += part.load_cpu_seconds
    # The server's share over the whole phase (warm-up included), as the load processes' is.
    wall = time.perf_counter() - started
    total.server_cpu_seconds = (cpu_seconds(server) - server_before) * args.seconds / wall
    return total


def wait_for_page(url: str, process: subprocess.Popen[str], timeout: float = 90.0) -> None:
    """`next start` answers its first requests slowly (it loads the app then): wait longer than wait_for_http."""
    deadline = time.monotonic() + timeout
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode} before answering {url}")
        try:
            requests.get(url, timeout=20).raise_for_status()
            return
        except requests.RequestException:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


def start(command: list[str], cwd: Path, env: dict[str, str], log: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(command, cwd=cwd, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT, text=True)


def report(label: str, phases: list[Phase], args: argparse.Namespace) -> dict[int, float]:
    latencies = [latency for phase in phases for latency in phase.latencies]
    seconds = sum(phase.seconds for phase in phases)
    errors = sum(phase.errors for phase in phases)
    values = {p: percentile(latencies, p / 100) * 1000 for p in (50, 95, 99)}
    load_busy = sum(phase.load_cpu_seconds for phase in phases) / (seconds * args.load_processes)
    server_busy = sum(phase.server_cpu_seconds for phase in phases) / seconds
    print(
        f"  {label:<34} {len(latencies) / seconds:7.1f} req/s   p50 {values[50]:6.1f} ms   p95 {values[95]:6.1f} ms"
        f"   p99 {values[99]:6.1f} ms   ({len(latencies)} requests, {errors} errors)"
    )
    # CPU per request: steadier than the latencies on a shared machine (compare builds by it, serial runs best).
    per_request = sum(phase.server_cpu_seconds for phase in phases) / max(len(latencies), 1) * 1000
    print(
        f"  {'':<34} server processes {server_busy:.0%} of a core ({per_request:.1f} ms of CPU per request),"
        f" each load process {load_busy:.0%} of a core"
    )
    return {**values, "load": load_busy, "server": server_busy}


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--server", default="postgresql://postgres@127.0.0.1:5432")
    parser.add_argument("--products", type=int, default=20_000)
    parser.add_argument("--tenants", type=int, default=200)
    parser.add_argument("--queries", type=int, default=300, help="distinct queries the users cycle through")
    parser.add_argument("--users", type=int, default=20, help="concurrent users (keep-alive connections)")
    parser.add_argument(
        "--think", type=float, default=1.0, help="each user's mean pause between pages (0: back to back, a stress test)"
    )
    parser.add_argument("--seconds", type=float, default=10.0, help="measured seconds per phase")
    parser.add_argument("--warmup", type=float, default=3.0, help="unmeasured seconds before each phase")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of (API, portal), alternating the order")
    parser.add_argument("--load-processes", type=int, default=1, help="load generator processes")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--profile-portal", type=Path, help="write a CPU profile of the portal's server here (node --cpu-prof)"
    )
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, _terminate)
    rng = random.Random(args.seed)

    dbname = f"tenantry_bench_portal_search_{secrets.token_hex(4)}"
    env = {
        **os.environ,
        **load_env(),
        "PGDATABASE": dbname,
        "DJANGO_SETTINGS_MODULE": "control_plane.settings.local",
        "LOG_LEVEL": "WARNING",
        "SEARCH_BACKEND": "postgres",
        # As deployed (the operator's config maps set it too): without a pool each request opens a connection of
        # its own (a backend forked and a SCRAM exchange), which alone costs more than the search.
        "DATABASE_POOL_SIZE": "4",
        # Every request comes from 127.0.0.1 (the portal's server too): the per-address budget is out of the way.
        "SEARCH_RATE_PER_IP": "1000000000/minute",
        "NEXT_TELEMETRY_DISABLED": "1",
    }
    env.pop("DATABASE_URL", None)
    servers: list[subprocess.Popen[str]] = []
    phases: dict[str, list[Phase]] = {"api": [], "portal": []}
    with psycopg.connect(f"{args.server}/postgres", autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(dbname)))
    try:
        migrate(dbname)
        seconds = seed(f"{args.server}/{dbname}", args.products, args.tenants, rng)
        print(f"seeded {args.products} products in {args.tenants} stores in {seconds:.1f} s ({dbname})")
        portal_web.build(env)  # no-op when the build is current

        logs = Path(tempfile.mkdtemp(prefix="portal-search-"))
        api_port, portal_port = free_port(), free_port()
        control_plane = start(
            [*(sys.executable, "-m", "tenantry_kernel.serve", "control_plane.asgi:application"),
             *("--service", "control-plane", "--port", str(api_port))],
            ROOT / "platform", env, logs / "control-plane.log",
        )  # fmt: skip
        servers.append(control_plane)
        wait_for_http(f"http://127.0.0.1:{api_port}/healthz", process=control_plane)
        node_env = portal_web.node_environment(env, f"http://127.0.0.1:{api_port}")
        command = portal_web.start_command(portal_port)
        if args.profile_portal:
            args.profile_portal.mkdir(parents=True, exist_ok=True)
            command[1:1] = ["--cpu-prof", f"--cpu-prof-dir={args.profile_portal.resolve()}"]  # node's own flags
        portal = start(command, portal_web.PORTAL, node_env, logs / "portal.log")
        servers.append(portal)
        wait_for_page(f"http://127.0.0.1:{portal_port}/search", portal)
        print(f"control plane on :{api_port}, portal (next start) on :{portal_port}; logs in {logs}")

        queries = search_inputs(rng, args.queries)
        api_urls = [f"http://127.0.0.1:{api_port}/api/v1/search/?q={quote_plus(q)}" for q in queries]
        portal_urls = [f"http://127.0.0.1:{portal_port}/search?q={quote_plus(q)}" for q in queries]
        targets = {
            "api": (api_urls, '"results"', psutil.Process(control_plane.pid)),
            "portal": (portal_urls, "</html>", psutil.Process(portal.pid)),
        }
        with ProcessPoolExecutor(args.load_processes) as pool:
            for index in range(args.rounds):
                order = ["api", "portal"] if index % 2 == 0 else ["portal", "api"]
                for name in order:
                    urls, check, server = targets[name]
                    phase = measure(pool, name, urls, check, server, args)
                    phases[name].append(phase)
                    print(f"  round {index + 1} {name:6s} {len(phase.latencies) / phase.seconds:7.1f} req/s")
    except KeyboardInterrupt:
        print("interrupted; cleaning up and reporting what was measured")
    finally:
        for process in servers:
            process.terminate()
        for process in servers:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
        with psycopg.connect(f"{args.server}/postgres", autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(dbname)))
        print(f"cleaned up: database {dbname}, both servers")
        if args.profile_portal:
            print(f"the portal's CPU profile is in {args.profile_portal} (bench/cpuprofile.py sums it up)")

    if not all(phases.values()):
        return
    print(
        f"{args.users} concurrent users (think time {args.think:.1f} s on average),"
        f" {len(phases['api'])} x {args.seconds:.0f} s per target after {args.warmup:.0f} s warm-ups,"
        f" {args.load_processes} load process(es), {os.cpu_count()} cores:"
    )
    api = report("control plane GET /api/v1/search/", phases["api"], args)
    page = report("portal GET /search (SSR, via the API)", phases["portal"], args)
    verdict = "met" if page[95] <= TARGET_P95_MS else "MISSED"
    print(
        f"  portal p95 {page[95]:.1f} ms (target <= {TARGET_P95_MS:.0f} ms: {verdict}); {page[95] / api[95]:.2f}x the"
        f" API's p95 alone (+{page[95] - api[95]:.1f} ms for rendering the page and the hop)"
    )
    for label, figures in (("API", api), ("portal", page)):
        if figures["server"] >= 0.9:
            busy = f"{figures['server']:.0%}"
            print(f"  the {label} phase saturated its server's core ({busy}): that server is the limit")
        if figures["load"] >= 0.8:
            print(f"  the load generator was {figures['load']:.0%} busy in the {label} phase: add --load-processes")
    load = os.getloadavg()[0]
    print(f"  load average (1 min) {load:.1f} on {os.cpu_count()} cores (shared with anything else running)")


if __name__ == "__main__":
    main()
