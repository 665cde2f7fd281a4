"""Provisioning one tenant end to end (schema + migrations + role + vhost): plain migrate against the clone.

Both paths run in the same process, alternating tenant by tenant, on a scratch database used
as the shard and on the local RabbitMQ. Baseline: `ensure_tenant_database` + `manage.py migrate`
+ `ensure_tenant_broker`; fast: the same with `TemplateCloneRunner` (template built once first,
its cost printed separately). The scratch database, every role and every vhost and broker user
the run created are removed at the end, also on Ctrl-C, SIGTERM or an error. Bounded by
--tenants and --budget; it prints figures and asserts nothing about them.

    .venv/bin/python bench/provision_tenant.py [--tenants 30] [--budget 900]
"""

from __future__ import annotations

import argparse
import secrets
import signal
import statistics
import time
from pathlib import Path
from types import FrameType

import psycopg
from psycopg import sql
from stats import percentile, timed  # bench/stats.py; bench scripts run from their folder

from tenantry_kernel.provisioning.broker import (
    PLATFORM_VHOST,
    BrokerAdmin,
    delete_tenant_broker,
    ensure_tenant_broker,
)
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
TARGET_P50_SECONDS = 2.0


def provision(admin_dsn: str, admin: BrokerAdmin, runner: MigrationRunner, slugs: list[str]) -> float:
    """One tenant: role + schema + grants, migrations, vhost + user + permissions + limits."""
    slug = f"bench-{secrets.token_hex(4)}"
    slugs.append(slug)  # before anything exists, so that cleanup covers a half-made tenant
    plan = plan_for(PlanName.FREE)
    started = time.perf_counter()
    tenant = ensure_tenant_database(admin_dsn, slug, plan, secrets.token_urlsafe(24))
    migrate_tenant_schema(tenant, runner)
    ensure_tenant_broker(admin, slug, plan, secrets.token_urlsafe(24))
    return time.perf_counter() - started


def _terminate(signum: int, _frame: FrameType | None) -> None:
    raise KeyboardInterrupt(f"signal {signum}")  # runs the cleanup in `finally`


def cleanup(server: str, dbname: str, roles: list[str], admin: BrokerAdmin, slugs: list[str], platform: bool) -> None:
    problems: list[str] = []
    for slug in slugs:
        try:
            delete_tenant_broker(admin, slug)
        except Exception as exc:
            problems.append(f"vhost/user of {slug}: {exc}")
    if platform:
        try:
            admin.delete_vhost(PLATFORM_VHOST)
        except Exception as exc:
            problems.append(f"vhost {PLATFORM_VHOST}: {exc}")
    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(dbname)))
        for role in roles + [role_name(slug) for slug in slugs]:
            try:
                conn.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(role)))
            except psycopg.Error as exc:
                problems.append(f"role {role}: {exc}")
    for problem in problems:
        print(f"  cleanup: could not remove {problem}")
    print(f"cleaned up: database {dbname}, {len(roles) + len(slugs)} roles, {len(slugs)} vhosts and broker users")


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--server", default="postgresql://postgres@127.0.0.1:5432")
    parser.add_argument("--broker-admin-url", default="http://guest:guest@127.0.0.1:15672")
    parser.add_argument("--tenants", type=int, default=30, help="tenants per path (default 30)")
    parser.add_argument("--budget", type=float, default=900.0, help="stop starting tenants after this many seconds")
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, _terminate)

    dbname = f"tenantry_bench_{secrets.token_hex(4)}"
    admin_dsn = f"{args.server}/{dbname}"
    roles: list[str] = [f"tenantry_template_bench_{secrets.token_hex(4)}"]
    slugs: list[str] = []
    admin = BrokerAdmin.from_url(args.broker_admin_url)
    platform_created = admin.get_vhost(PLATFORM_VHOST) is None
    samples: dict[str, list[float]] = {"baseline": [], "fast": []}
    with psycopg.connect(f"{args.server}/postgres", autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(dbname)))
    try:
        plain = ManagePyMigrationRunner(MANAGE_PY)
        clone = TemplateCloneRunner(admin_dsn, ManagePyMigrationRunner(MANAGE_PY), template_role=roles[0])
        fingerprint_seconds = timed(clone.fingerprint)
        template_seconds = timed(clone.ensure_template)
        deadline = time.monotonic() + args.budget
        for index in range(args.tenants):
            if time.monotonic() > deadline:
                print(f"budget of {args.budget:.0f} s reached after {index} tenants per path; reporting those")
                break
            # Alternate which path goes first, so neither always runs on a warmer server.
            order = ("baseline", "fast") if index % 2 == 0 else ("fast", "baseline")
            for path in order:
                runner: MigrationRunner = plain if path == "baseline" else clone
                samples[path].append(provision(admin_dsn, admin, runner, slugs))
    except KeyboardInterrupt:
        print("interrupted; cleaning up and reporting what was measured")
    finally:
        cleanup(args.server, dbname, roles, admin, slugs, platform_created)
        admin.close()

    count = min(len(values) for values in samples.values())
    if count == 0:
        return
    samples = {path: values[:count] for path, values in samples.items()}
    print(f"tenant provisioning end to end (role + schema + grants + migrations + vhost + user), {count} per path")
    print(f"  one-off per process: migration fingerprint {fingerprint_seconds:.2f} s")
    print(f"  one-off per shard and migration set: template build {template_seconds:.2f} s")
    for path, values in samples.items():
        p50, p95 = statistics.median(values), percentile(values, 0.95)
        verdict = "meets" if p50 <= TARGET_P50_SECONDS else "misses"
        print(
            f"  {path:8s} p50 {p50 * 1000:7.0f} ms   p95 {p95 * 1000:7.0f} ms   "
            f"({verdict} the target p50 <= {TARGET_P50_SECONDS:.0f} s)"
        )
    for label, stat in (("p50", statistics.median), ("p95", lambda values: percentile(values, 0.95))):
        ratio = stat(samples["baseline"]) / stat(samples["fast"])
        print(f"  {label} ratio baseline/fast: {ratio:.1f}x")
    print(f"  target: p50 <= {TARGET_P50_SECONDS:.0f} s per tenant")


if __name__ == "__main__":
    main()
