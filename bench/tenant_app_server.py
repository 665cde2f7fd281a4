"""The tenant app served for a benchmark as it is deployed, and the scratch database and roles removed afterwards.

Shared by the benchmarks that drive the tenant app over HTTP (checkout.py, storefront_catalog.py): the app in its
own process (`tenantry_kernel.serve`, uvicorn, production settings, a connection pool as the operator configures it).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import psycopg
from psycopg import sql

from tenantry_kernel.testing import free_port, wait_for_http

TENANT_APP = Path(__file__).resolve().parents[1] / "tenant-app"
SETTINGS = "tenant_app.settings.production"
POOL_SIZE = "16"


def start_tenant_app(env: dict[str, str], workers: int, log: Path) -> tuple[subprocess.Popen[str], str]:
    """The tenant app on a free loopback port with `workers` uvicorn workers; its output goes to `log`."""
    port = free_port()
    env = {**env, "DJANGO_SETTINGS_MODULE": SETTINGS, "DATABASE_POOL_SIZE": POOL_SIZE}
    process = subprocess.Popen(
        [
            *(sys.executable, "-m", "tenantry_kernel.serve", "tenant_app.asgi:application"),
            *("--service", "tenant-app", "--port", str(port), "--workers", str(workers)),
        ],
        cwd=TENANT_APP,
        env={**os.environ, **env},
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        text=True,
    )
    base_url = f"http://127.0.0.1:{port}"
    wait_for_http(f"{base_url}/healthz", process=process)
    return process, base_url


def drop_scratch(server: str, dbname: str, roles: list[str]) -> None:
    """Remove the run's database and roles (also after a failed or interrupted run)."""
    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(dbname)))
        for role in roles:
            conn.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(role)))
    print(f"cleaned up: database {dbname}, roles {', '.join(roles)}")
