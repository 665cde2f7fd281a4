"""Signup → tenant ready with the local provisioner: POST /api/v1/signup/ until the record says ready.

The control plane runs in this process (Django test client for the API, a real Celery worker
thread on RabbitMQ for the provisioning task) on a scratch control-plane database; tenants go
to a scratch shard database on the local PostgreSQL and RabbitMQ, migrated by cloning the
template schema (built once first; its cost printed separately). Signups run one after the
other; p50/p95 of the time from the request to `ready`. Everything the run created (both
databases, tenant roles and the template role, vhosts and broker users, the worker's queue) is
removed at the end. It prints figures and asserts nothing about them.

    .venv/bin/python bench/signup_ready.py [--signups 20]
"""

from __future__ import annotations

import argparse
import os
import secrets
import sys
import tempfile
import time
from pathlib import Path

from stats import percentile, timed  # bench/stats.py; bench scripts run from their folder

from tenantry_kernel.testing.databases import (
    copy_database,
    create_database,
    drop_database,
    drop_role,
    migrated_template,
)

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "correct horse battery staple 42"


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--signups", type=int, default=20)
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds one signup may take to be ready")
    args = parser.parse_args()

    token = secrets.token_hex(4)
    cp_db, shard_db = f"tenantry_bench_cp_{token}", f"tenantry_bench_shard_{token}"
    template_role = f"tenantry_template_bench_{token}"
    secrets_dir = tempfile.mkdtemp(prefix="tenantry-bench-secrets-")
    queue = f"bench-signup-{token}"
    os.environ.update(
        DJANGO_SETTINGS_MODULE="control_plane.settings.test",
        PGDATABASE=cp_db,
        TENANT_PROVISIONER="local",
        SHARD_ADMIN_DSN=f"host=127.0.0.1 port=5432 user=postgres dbname={shard_db}",
        TENANT_TEMPLATE_ROLE=template_role,
        TENANT_APP_SETTINGS_MODULE="tenant_app.settings.test",
        TENANT_SECRETS_DIR=secrets_dir,
        TENANT_MEMBER_EVENTS_QUEUE=f"bench-members-{token}",
        CELERY_DEFAULT_QUEUE=queue,
        LOG_LEVEL="WARNING",
    )
    sys.path.insert(0, str(ROOT / "platform"))
    # The control plane's database is a copy of its migrated template (made once, reused while migrations hold).
    copy_database(migrated_template(ROOT / "platform", "control_plane.settings.test", "controlplane"), cp_db)
    create_database(shard_db)
    slugs: list[str] = []
    try:
        import django

        django.setup()
        from celery.contrib.testing.worker import start_worker
        from django.core.management import call_command
        from rest_framework.test import APIClient

        from control_plane.celery import app
        from control_plane.tenants.models import Tenant, TenantState
        from control_plane.tenants.provisioner.local import migration_runner

        migrate_seconds = timed(lambda: call_command("migrate", verbosity=0))  # confirms the copy is current
        template_seconds = timed(lambda: migration_runner(os.environ["SHARD_ADMIN_DSN"]))
        print(f"control-plane migrate: {migrate_seconds:.1f} s; tenant template built: {template_seconds:.1f} s")

        samples: list[float] = []
        with start_worker(
            app, pool="threads", concurrency=2, queues=[queue], perform_ping_check=False, shutdown_timeout=30
        ):
            for _ in range(args.signups):
                slug = f"bench-{secrets.token_hex(4)}"
                slugs.append(slug)
                client = APIClient(REMOTE_ADDR=f"10.9.{len(slugs) // 250}.{len(slugs) % 250}", HTTP_HOST="localhost")
                started = time.perf_counter()
                answer = client.post(
                    "/api/v1/signup/",
                    {"email": f"{slug}@example.com", "password": PASSWORD, "store_name": slug, "slug": slug},
                    format="json",
                )
                if answer.status_code != 202:
                    raise SystemExit(f"signup failed: {answer.status_code} {answer.content!r}")
                accepted = time.perf_counter() - started
                deadline = started + args.timeout
                while not Tenant.objects.filter(slug=slug, state=TenantState.READY).exists():
                    if time.perf_counter() > deadline:
                        raise SystemExit(f"{slug} was not ready within {args.timeout:.0f} s")
                    time.sleep(0.01)
                samples.append(time.perf_counter() - started)
                print(f"  {slug}: 202 after {accepted * 1000:.0f} ms, ready after {samples[-1]:.2f} s", flush=True)
        print(
            f"signup → ready over {len(samples)} signups: p50 {percentile(samples, 0.5):.2f} s, "
            f"p95 {percentile(samples, 0.95):.2f} s, max {max(samples):.2f} s"
        )
    finally:
        from tenantry_kernel.provisioning.broker import BrokerAdmin, delete_tenant_broker
        from tenantry_kernel.provisioning.naming import role_name

        with BrokerAdmin.from_url("http://guest:guest@127.0.0.1:15672") as admin:
            for slug in slugs:
                delete_tenant_broker(admin, slug)
            for name in (queue, f"bench-members-{token}"):
                admin._request("DELETE", f"queues/%2F/{name}", missing_ok=True)
                admin._request("DELETE", f"queues/tenantry/{name}", missing_ok=True)
        from django.db import connections

        connections.close_all()
        drop_database(shard_db)
        drop_database(cp_db)
        for role in [template_role, *(role_name(slug) for slug in slugs)]:
            drop_role(role)


if __name__ == "__main__":
    main()
