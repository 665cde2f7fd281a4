"""The storefront's cached product list at 50 concurrent shoppers, with the uncached list as the baseline.

One tenant on a scratch database, provisioned as the operator does it, with a catalog of 200 published products
(two variants each, prices in EUR, stock; German translations; the store sells in EUR and USD). The tenant app
runs in its own process as the shared tier is deployed (uvicorn, production settings, host -> route, SET LOCAL ROLE
per request). Anonymous shoppers (aiohttp, keep-alive connections, each sending its next request when the last was
answered) read GET /api/v1/storefront/products/?sort=price&currency=USD&lang=de: served from the Redis page cache,
and, as the baseline in the same run, the same request with `Cache-Control: no-cache` (computed from PostgreSQL
every time). Rounds alternate which goes first; each phase warms up before it is measured. Prints throughput,
p50/p95/p99 of each and the ratio of the p95s. The database, the role and the server are removed at the end, also
on Ctrl-C, SIGTERM or an error.

    .venv/bin/python bench/storefront_catalog.py [--seconds 8] [--rounds 3] [--connections 50] [--workers 2]
                                                 [--think-ms 0]

With `--think-ms 0` every shopper sends its next request as soon as the last is answered (a closed loop: the
latency then includes queueing behind the other 49); `--think-ms 1000` gives shoppers a pause between clicks.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import secrets
import signal
import subprocess
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
from tenant_app_server import SETTINGS, TENANT_APP, drop_scratch, start_tenant_app

from tenantry_kernel.provisioning import routing
from tenantry_kernel.provisioning.database.migrations import ManagePyMigrationRunner, migrate_tenant_schema
from tenantry_kernel.provisioning.database.roles import grant_router_role
from tenantry_kernel.provisioning.database.schemas import TenantDatabase, ensure_tenant_database
from tenantry_kernel.provisioning.naming import role_name
from tenantry_kernel.provisioning.plans import PlanName, plan_for

PATH = "/api/v1/storefront/products/?sort=price&currency=USD&lang=de&page_size=24"
TARGET_P95_MS = 20.0
# Runs as the tenant (manage.py shell connected as its role): the store's settings through the catalog's action,
# then the products in bulk (a read benchmark; the actions are the tests' business), then one action so the
# catalog's version counts the change.
SEED = """
from decimal import Decimal
from django.utils import timezone
from tenant_app.access.models import Role
from tenant_app.accounts.models import User
from tenant_app.catalog import actions
from tenant_app.catalog.models import Product, ProductTranslation, ProductVariant, Stock, VariantPrice
from tenantry_kernel.context import tenant_var
tenant_var.set({slug!r})  # the outbox's events name their tenant
owner = User.objects.create_user("owner@bench.test", None, role=Role.objects.get(slug="owner"))
actions.update_store_settings(None, owner, languages=["en", "de"], default_language="en",
                              currencies=["EUR", "USD"], default_currency="EUR", rate_overrides={{"USD": "1.08"}})
beans = actions.create_category(None, owner, name="Beans")
now = timezone.now()
products = Product.objects.bulk_create(
    Product(name=f"Coffee {{n:03}}", slug=f"coffee-{{n:03}}", description="Roasted beans, whole.", price_amount=1,
            price_currency="EUR", category=beans, published=True, published_at=now)
    for n in range({products})
)
ProductTranslation.objects.bulk_create(
    ProductTranslation(product=product, language="de", name=f"Kaffee {{product.slug[-3:]}}") for product in products
)
variants = ProductVariant.objects.bulk_create(
    ProductVariant(product=product, sku=f"{{product.slug}}-{{size}}") for product in products for size in ("s", "l")
)
VariantPrice.objects.bulk_create(
    VariantPrice(variant=variant, currency="EUR", amount=Decimal(5 + index % 97) + Decimal("0.90"))
    for index, variant in enumerate(variants)
)
Stock.objects.bulk_create(
    Stock(variant=variant, location="main", quantity=index % 13) for index, variant in enumerate(variants)
)
actions.update_category(None, owner, beans, description="Whole beans.")
"""


@dataclass
class Phase:
    seconds: float
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    hits: int = 0


def _terminate(signum: int, _frame: FrameType | None) -> None:
    raise KeyboardInterrupt(f"signal {signum}")  # runs the cleanup in `finally`


async def _load(
    url: str, headers: dict[str, str], connections: int, warmup: float, seconds: float, think: float
) -> Phase:
    phase = Phase(seconds)
    measure_from = time.perf_counter() + warmup
    until = measure_from + seconds
    connector = aiohttp.TCPConnector(limit=connections)
    async with aiohttp.ClientSession(connector=connector, headers=headers) as session:

        async def shopper() -> None:
            while (started := time.perf_counter()) < until:
                async with session.get(url) as response:
                    await response.read()
                finished = time.perf_counter()
                if measure_from <= finished <= until:
                    if response.status == 200:
                        phase.latencies.append(finished - started)
                        phase.hits += response.headers.get("X-Cache") == "hit"
                    else:
                        phase.errors += 1
                if think:  # a shopper reads the page before the next click (0.5 to 1.5 times the mean)
                    await asyncio.sleep(think * random.uniform(0.5, 1.5))

        await asyncio.gather(*(shopper() for _ in range(connections)))
    return phase


def load_process(
    url: str, headers: dict[str, str], connections: int, warmup: float, seconds: float, think: float
) -> Phase:
    return asyncio.run(_load(url, headers, connections, warmup, seconds, think))


def measure(pool: ProcessPoolExecutor, url: str, headers: dict[str, str], args: argparse.Namespace) -> Phase:
    processes = args.load_processes
    shares = [args.connections // processes + (index < args.connections % processes) for index in range(processes)]
    think = args.think_ms / 1000
    futures = [pool.submit(load_process, url, headers, share, args.warmup, args.seconds, think) for share in shares]
    total = Phase(args.seconds)
    for future in futures:
        part = future.result()
        total.latencies += part.latencies
        total.errors += part.errors
        total.hits += part.hits
    return total


def provision(server: str, dbname: str, slug: str, router: str, router_password: str, products: int) -> TenantDatabase:
    admin_dsn = f"{server}/{dbname}"
    tenant = ensure_tenant_database(admin_dsn, slug, plan_for(PlanName.GROWTH), secrets.token_urlsafe(24))
    runner = ManagePyMigrationRunner(TENANT_APP / "manage.py", SETTINGS)
    migrate_tenant_schema(tenant, runner)
    runner.run(tenant, "shell", "-c", SEED.format(products=products, slug=slug))
    routing.ensure_routes(admin_dsn, slug, [f"{slug}.localhost"], suspended=False)
    with psycopg.connect(admin_dsn, autocommit=True) as conn:
        ident = sql.Identifier(router)
        conn.execute(sql.SQL("CREATE ROLE {} LOGIN NOINHERIT PASSWORD {}").format(ident, sql.Literal(router_password)))
        conn.execute(sql.SQL("GRANT CONNECT ON DATABASE {} TO {}").format(sql.Identifier(dbname), ident))
        conn.execute(sql.SQL("GRANT SELECT ON public.tenantry_routes TO {}").format(ident))
    grant_router_role(admin_dsn, slug, router)
    return tenant


def report(label: str, phases: list[Phase]) -> float:
    latencies = [latency for phase in phases for latency in phase.latencies]
    seconds = sum(phase.seconds for phase in phases)
    errors, hits = sum(phase.errors for phase in phases), sum(phase.hits for phase in phases)
    p95 = percentile(latencies, 0.95) * 1000
    print(
        f"  {label:8s} {len(latencies) / seconds:8.1f} req/s   p50 {percentile(latencies, 0.5) * 1000:6.1f} ms"
        f"   p95 {p95:6.1f} ms   p99 {percentile(latencies, 0.99) * 1000:6.1f} ms"
        f"   ({len(latencies)} requests, {hits} cache hits, {errors} errors)"
    )
    return p95


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--server", default="postgresql://postgres@127.0.0.1:5432")
    parser.add_argument("--seconds", type=float, default=8.0, help="measured seconds per phase")
    parser.add_argument("--warmup", type=float, default=2.0, help="unmeasured seconds before each measurement")
    parser.add_argument("--rounds", type=int, default=3, help="rounds, alternating which phase goes first")
    parser.add_argument("--connections", type=int, default=50, help="concurrent shoppers")
    parser.add_argument("--workers", type=int, default=2, help="uvicorn worker processes")
    parser.add_argument("--load-processes", type=int, default=1, help="load generator processes")
    parser.add_argument("--products", type=int, default=200)
    parser.add_argument(
        "--think-ms", type=float, default=0.0, help="mean pause of a shopper between requests (0: back to back)"
    )
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, _terminate)

    suffix = secrets.token_hex(4)
    dbname, slug, router = f"tenantry_bench_{suffix}", f"bench-{suffix}", f"tenantry_bench_router_{suffix}"
    host, router_password = f"{slug}.localhost", secrets.token_urlsafe(24)
    roles = [role_name(slug), router]
    os.environ.update(
        DJANGO_SECRET_KEY=secrets.token_urlsafe(64),
        DJANGO_ALLOWED_HOSTS=f"{host},127.0.0.1",
        DJANGO_SECURE_SSL_REDIRECT="false",
        API_RATE_PER_USER="1000000000/min",
        API_RATE_PER_TENANT="1000000000/min",
        DATABASE_URL="",
    )
    server: subprocess.Popen[str] | None = None
    phases: dict[str, list[Phase]] = {"cached": [], "uncached": []}
    with psycopg.connect(f"{args.server}/postgres", autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(dbname)))
    try:
        provision(args.server, dbname, slug, router, router_password, args.products)
        server_host = args.server.split("@", 1)[1]
        env = {"DATABASE_URL": f"postgresql://{router}:{router_password}@{server_host}/{dbname}"}
        logs = Path(tempfile.mkdtemp(prefix="storefront-"))
        server, base_url = start_tenant_app(env, args.workers, logs / "tenant-app.log")
        url = f"{base_url}{PATH}"
        headers = {"cached": {"Host": host}, "uncached": {"Host": host, "Cache-Control": "no-cache"}}
        first = requests.get(url, headers=headers["uncached"], timeout=30)
        first.raise_for_status()
        assert len(first.json()["results"]) == 24, f"expected a full page of products, got {first.text[:500]}"
        assert requests.get(url, headers=headers["cached"], timeout=30).headers.get("X-Cache") == "hit"
        with ProcessPoolExecutor(args.load_processes) as pool:
            for index in range(args.rounds):
                order = ["cached", "uncached"] if index % 2 == 0 else ["uncached", "cached"]
                for label in order:
                    phase = measure(pool, url, headers[label], args)
                    phases[label].append(phase)
                    print(f"  round {index + 1} {label:8s} {len(phase.latencies) / phase.seconds:8.1f} req/s")
    except KeyboardInterrupt:
        print("interrupted; cleaning up and reporting what was measured")
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        drop_scratch(args.server, dbname, roles)

    if not all(phases.values()):
        return
    print(
        f"GET {PATH} anonymously, {args.products} products, {args.connections} concurrent shoppers, "
        f"{args.workers} uvicorn worker(s), think time {args.think_ms:.0f} ms, "
        f"{len(phases['cached'])} x {args.seconds:.0f} s per phase "
        f"after {args.warmup:.0f} s warm-ups"
    )
    cached, uncached = report("cached", phases["cached"]), report("uncached", phases["uncached"])
    verdict = "meets" if cached <= TARGET_P95_MS else "misses"
    print(f"  p95 cached/uncached: {cached / uncached:.2f} (uncached is {uncached / cached:.1f}x slower)")
    print(f"  cached p95 {cached:.1f} ms {verdict} the target <= {TARGET_P95_MS:.0f} ms")


if __name__ == "__main__":
    main()
