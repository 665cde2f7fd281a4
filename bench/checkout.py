"""Checkout completion under load: POST /api/v1/checkout/carts/<id>/complete/ by 50 concurrent shoppers.

A throwaway tenant is provisioned on a scratch database as the operator does it, with one variant in
plenty of stock, shipping to Germany and German tax, and as many guest carts as the run can use, each
ready to complete (one line, email, addresses, shipping method). The tenant app runs in its own process
as deployed (`tenantry_kernel.serve`, uvicorn, production settings, dedicated tier). Each shopper (an
aiohttp connection) completes the next cart as soon as its last one answered; after a warm-up, the
completions are measured. Prints orders/s and p50/p95/p99 against the target p95 <= 300 ms. The database,
the role and the server are removed at the end, also on Ctrl-C, SIGTERM or an error.

    .venv/bin/python bench/checkout.py [--shoppers 50] [--seconds 10] [--warmup 2] [--workers 1]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import signal
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType

import aiohttp
import psycopg
from psycopg import sql
from stats import percentile  # bench/stats.py; bench scripts run from their folder
from tenant_app_server import SETTINGS, TENANT_APP, drop_scratch, start_tenant_app

from tenantry_kernel.provisioning.database.migrations import ManagePyMigrationRunner, migrate_tenant_schema
from tenantry_kernel.provisioning.database.schemas import TenantDatabase, ensure_tenant_database
from tenantry_kernel.provisioning.naming import role_name
from tenantry_kernel.provisioning.plans import PlanName, plan_for

TARGET_P95 = 0.300
# Runs as the tenant (manage.py shell connected as its role): the store, its stock and the carts, in bulk.
SEED = """
import hashlib
from decimal import Decimal
from django.utils import timezone
from tenant_app.catalog.models import Product, ProductVariant, Stock, StoreSettings
from tenant_app.checkout.models import Cart, CartLine, ShippingMethod, ShippingPrice, ShippingZone, TaxRate
from tenantry_kernel.addresses import normalize_address
StoreSettings.current()
product = Product.objects.create(name="Beans", slug="beans", price_amount=Decimal("24.90"), price_currency="EUR",
                                 published=True, published_at=timezone.now())
variants = []
for n in range({variants}):
    variant = ProductVariant.objects.create(product=product, sku=f"BENCH-BEANS-{{n}}", weight_grams=1000)
    variant.prices.create(currency="EUR", amount=Decimal("24.90"))
    Stock.objects.create(variant=variant, location="main", quantity=10_000_000)
    variants.append(variant)
zone = ShippingZone.objects.create(name="Germany", countries=["DE"])
parcel = ShippingMethod.objects.create(zone=zone, name="Parcel")
ShippingPrice.objects.create(method=parcel, currency="EUR", amount=Decimal("4.90"))
TaxRate.objects.create(country="DE", rate=Decimal(19))
address = normalize_address({{"name": "Ada", "street_address_1": "Unter den Linden 1", "city": "Berlin",
                              "postal_code": "10117", "country": "DE"}})
hashes = [hashlib.sha256(f"{prefix}{{i}}".encode()).hexdigest() for i in range({carts})]
carts = Cart.objects.bulk_create(
    Cart(token_hash=h, currency="EUR", language="en", email=f"s{{i}}@bench.test", shipping_address=address,
         billing_address=address, shipping_method=parcel) for i, h in enumerate(hashes))
CartLine.objects.bulk_create(CartLine(cart=c, variant=variants[i % len(variants)], quantity=1,
                                      unit_price=Decimal("24.90")) for i, c in enumerate(carts))
print("CARTS", ",".join(str(c.pk) for c in carts))
"""


@dataclass
class Run:
    latencies: list[float] = field(default_factory=list)
    errors: dict[int, int] = field(default_factory=dict)
    measured_seconds: float = 0.0


def _terminate(signum: int, _frame: FrameType | None) -> None:
    raise KeyboardInterrupt(f"signal {signum}")  # runs the cleanup in `finally`


async def load(
    base_url: str, host: str, carts: list[tuple[str, str]], shoppers: int, warmup: float, seconds: float
) -> Run:
    run = Run()
    queue = list(reversed(carts))
    measure_from = time.perf_counter() + warmup
    until = measure_from + seconds
    connector = aiohttp.TCPConnector(limit=shoppers)
    async with aiohttp.ClientSession(connector=connector, headers={"Host": host}) as session:

        async def shopper() -> None:
            while queue and (started := time.perf_counter()) < until:
                cart_id, token = queue.pop()
                headers = {"Cart-Token": token, "Idempotency-Key": f"bench-{cart_id}"}
                async with session.post(
                    f"{base_url}/api/v1/checkout/carts/{cart_id}/complete/", json={}, headers=headers
                ) as response:
                    await response.read()
                finished = time.perf_counter()
                if measure_from <= started and finished <= until:
                    if response.status == 201:
                        run.latencies.append(finished - started)
                    else:
                        run.errors[response.status] = run.errors.get(response.status, 0) + 1

        await asyncio.gather(*(shopper() for _ in range(shoppers)))
    run.measured_seconds = min(time.perf_counter(), until) - measure_from
    return run


def provision(
    server: str, dbname: str, slug: str, prefix: str, carts: int, variants: int
) -> tuple[TenantDatabase, list[str]]:
    admin_dsn = f"{server}/{dbname}"
    tenant = ensure_tenant_database(admin_dsn, slug, plan_for(PlanName.GROWTH), secrets.token_urlsafe(24))
    runner = ManagePyMigrationRunner(TENANT_APP / "manage.py", SETTINGS)
    migrate_tenant_schema(tenant, runner)
    # Cart i's token is prefix + i (the prefix is this run's secret): the seed hashes them itself.
    output = runner.run(tenant, "shell", "-c", SEED.format(prefix=prefix, carts=carts, variants=variants))
    line = next(line for line in output.stdout.splitlines() if line.startswith("CARTS "))
    return tenant, line.removeprefix("CARTS ").split(",")


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--server", default="postgresql://postgres@127.0.0.1:5432")
    parser.add_argument("--shoppers", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=10.0, help="measured seconds")
    parser.add_argument("--warmup", type=float, default=2.0, help="unmeasured seconds first")
    parser.add_argument("--workers", type=int, default=1, help="uvicorn worker processes")
    parser.add_argument(
        "--variants", type=int, default=1, help="variants the carts spread over (1: every shopper buys the same one)"
    )
    parser.add_argument("--carts", type=int, default=6000, help="carts ready to complete (the run stops without)")
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, _terminate)

    suffix = secrets.token_hex(4)
    dbname, slug = f"tenantry_bench_{suffix}", f"bench-{suffix}"
    host = f"{slug}.localhost"
    os.environ.update(
        DJANGO_SECRET_KEY=secrets.token_urlsafe(64),
        DJANGO_ALLOWED_HOSTS=f"{host},127.0.0.1",
        DJANGO_SECURE_SSL_REDIRECT="false",
        API_RATE_PER_USER="1000000000/min",
        API_RATE_PER_TENANT="1000000000/min",
        DATABASE_URL="",
    )
    server: subprocess.Popen[str] | None = None
    run: Run | None = None
    with psycopg.connect(f"{args.server}/postgres", autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(dbname)))
    try:
        prefix = secrets.token_urlsafe(24)
        tenant, cart_ids = provision(args.server, dbname, slug, prefix, args.carts, args.variants)
        tokens = [f"{prefix}{index}" for index in range(args.carts)]
        logs = Path(tempfile.mkdtemp(prefix="checkout-bench-"))
        server, base_url = start_tenant_app(
            {"DATABASE_URL": tenant.dsn(), "TENANT_SLUG": slug}, args.workers, logs / "server.log"
        )
        carts = list(zip(cart_ids, tokens, strict=True))
        run = asyncio.run(load(base_url, host, carts, args.shoppers, args.warmup, args.seconds))
    except KeyboardInterrupt:
        print("interrupted; cleaning up")
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        drop_scratch(args.server, dbname, [role_name(slug)])

    if run is None or not run.latencies:
        print("nothing measured")
        return
    p95 = percentile(run.latencies, 0.95)
    verdict = "meets" if p95 <= TARGET_P95 else "misses"
    print(
        f"checkout completion, {args.shoppers} concurrent shoppers over {args.variants} variant(s), "
        f"{args.workers} uvicorn worker(s), "
        f"{run.measured_seconds:.1f} s measured after {args.warmup:.0f} s warm-up"
    )
    rate, p50 = len(run.latencies) / run.measured_seconds, percentile(run.latencies, 0.5)
    print(
        f"  {rate:8.1f} orders/s   p50 {p50 * 1000:6.1f} ms"
        f"   p95 {p95 * 1000:6.1f} ms   p99 {percentile(run.latencies, 0.99) * 1000:6.1f} ms"
        f"   ({len(run.latencies)} orders, errors by status: {run.errors or 'none'})"
    )
    print(f"  p95 {verdict} the target <= {TARGET_P95 * 1000:.0f} ms")


if __name__ == "__main__":
    main()
