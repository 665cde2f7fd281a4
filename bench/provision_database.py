"""Provisioning one tenant database end to end: plain `manage.py migrate` against the template clone.

Both paths run in the same process, interleaved tenant by tenant, on a scratch database that
is dropped afterwards with every role the run created. Bounded by --tenants and --budget.

    .venv/bin/python bench/provision_database.py [--tenants 30] [--budget 900]
"""

from __future__ import annotations

import argparse
import secrets
import statistics
import time
from pathlib import Path

import psycopg
from psycopg import sql
from stats import percentile, timed  # bench/stats.py; bench scripts run from their folder

from tenantry_kernel.provisioning.database.migrations import (
    ManagePyMigrationRunner,
    MigrationRunner,
    migrate_tenant_schema,
)
from tenantry_kernel.provisioning.database.schemas import ensure_tenant_database
from tenantry_kernel.provisioning.database.template_clone import TemplateCloneRunner
from tenantry_kernel.provisioning.naming import role_name
from tenantry_kernel.provisioning.plans import PlanName, plan_for

MANAGE_PY = Path(__file__).resolve().parents[1] / "tenant-app" / "manage.py"


def provision(admin_dsn: str, runner: MigrationRunner, roles: list[str]) -> float:
    slug = f"bench-{secrets.token_hex(4)}"
    roles.append(role_name(slug))
    started = time.perf_counter()
    tenant = ensure_tenant_database(admin_dsn, slug, plan_for(PlanName.FREE), secrets.token_urlsafe(24))
    migrate_tenant_schema(tenant, runner)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--server", default="postgresql://postgres@127.0.0.1:5432")
    parser.add_argument("--tenants", type=int, default=30, help="tenants per path (default 30)")
    parser.add_argument("--budget", type=float, default=900.0, help="stop starting tenants after this many seconds")
    args = parser.parse_args()

    dbname = f"tenantry_bench_{secrets.token_hex(4)}"
    admin_dsn = f"{args.server}/{dbname}"
    roles: list[str] = [f"tenantry_template_bench_{secrets.token_hex(4)}"]
    with psycopg.connect(f"{args.server}/postgres", autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(dbname)))
    try:
        plain = ManagePyMigrationRunner(MANAGE_PY)
        clone = TemplateCloneRunner(admin_dsn, ManagePyMigrationRunner(MANAGE_PY), template_role=roles[0])
        fingerprint_seconds = timed(clone.fingerprint)
        template_seconds = timed(clone.ensure_template)
        samples: dict[str, list[float]] = {"migrate": [], "clone": []}
        deadline = time.monotonic() + args.budget
        for _ in range(args.tenants):
            if time.monotonic() > deadline:
                print(f"budget of {args.budget:.0f} s reached; reporting what was measured")
                break
            samples["migrate"].append(provision(admin_dsn, plain, roles))
            samples["clone"].append(provision(admin_dsn, clone, roles))
    finally:
        with psycopg.connect(f"{args.server}/postgres", autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(dbname)))
            for role in roles:
                conn.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(role)))

    count = len(samples["clone"])
    if count == 0:
        return
    print(f"tenant database provisioning, end to end (role + schema + grants + migrations), {count} tenants per path")
    print(f"  one-off per process: migration fingerprint {fingerprint_seconds:.2f} s")
    print(f"  one-off per shard and migration set: template build {template_seconds:.2f} s")
    for name, values in samples.items():
        p50, p95 = statistics.median(values) * 1000, percentile(values, 0.95) * 1000
        print(f"  {name:8s} p50 {p50:7.0f} ms   p95 {p95:7.0f} ms")
    for label, fraction in (("p50", 0.5), ("p95", 0.95)):
        ratio = percentile(samples["migrate"], fraction) / percentile(samples["clone"], fraction)
        print(f"  {label}: clone is {ratio:.1f}x faster than migrate")


if __name__ == "__main__":
    main()
