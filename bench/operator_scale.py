"""The operator at scale: N Tenants against the Kubernetes emulator until all are Ready.

The emulator runs in this process (`EmulatorThread`); the operator runs as a separate process
(`python -m tenant_operator`, local migrations) against it, with two DatabaseShards on two
scratch databases of the local PostgreSQL and the local RabbitMQ. Shards and their admin
Secrets first, then the operator, then (once the shards are Ready) every Tenant as fast as
possible; the clock runs from the first create until every Tenant has Ready=True. The
operator's RSS (with its child processes) is sampled every 0.5 s. Bounded by --timeout;
the operator is stopped and the databases, tenant roles, vhosts and broker users are removed
in any case (Ctrl-C and SIGTERM included). Prints figures, asserts nothing about them.

    .venv/bin/python bench/operator_scale.py [--tenants 500] [--timeout 600]
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import suppress
from pathlib import Path
from types import FrameType
from typing import Any

import psutil
import psycopg
import requests
from psycopg import sql

from tenant_operator.kube import Kube, KubeConfig
from tenantry_kernel.provisioning.broker import PLATFORM_VHOST, BrokerAdmin, delete_tenant_broker
from tenantry_kernel.provisioning.database.template_clone import template_role_for
from tenantry_kernel.provisioning.naming import role_name
from tenantry_kernel.testing.kubernetes import EmulatorThread

REPO = Path(__file__).resolve().parents[1]
SYSTEM_NAMESPACE = "tenantry-system"
GROUP_VERSION = "tenantry.dev/v1alpha1"
TARGET_SECONDS = 60.0
TARGET_RSS_MB = 200.0
SHARD_CAPACITY = 400


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def is_ready(obj: dict[str, Any]) -> bool:
    return any(
        c.get("type") == "Ready" and c.get("status") == "True" for c in (obj.get("status") or {}).get("conditions", [])
    )


def _terminate(signum: int, _frame: FrameType | None) -> None:
    raise KeyboardInterrupt(f"signal {signum}")  # runs the cleanup in `finally`


class RssSampler(threading.Thread):
    """Peak and last RSS of a process plus its children, every `interval` seconds."""

    def __init__(self, pid: int, interval: float = 0.5) -> None:
        super().__init__(name="rss-sampler", daemon=True)
        self.process = psutil.Process(pid)
        self.interval = interval
        self.peak = 0
        self.last = 0
        self.samples = 0
        self._halt = threading.Event()

    def sample(self) -> int:
        total = 0
        with suppress(psutil.Error):
            total = self.process.memory_info().rss
            for child in self.process.children(recursive=True):
                with suppress(psutil.Error):
                    total += child.memory_info().rss
        return total

    def run(self) -> None:
        while not self._halt.is_set():
            rss = self.sample()
            if rss:
                self.last, self.peak, self.samples = rss, max(self.peak, rss), self.samples + 1
            self._halt.wait(self.interval)

    def stop(self) -> None:
        self._halt.set()
        self.join(timeout=5)


def reconciles_total(metrics_port: int) -> dict[str, float]:
    """`tenantry_operator_reconciles_total` by label set, from the operator's metrics endpoint."""
    text = requests.get(f"http://127.0.0.1:{metrics_port}/metrics", timeout=5).text
    counts: dict[str, float] = {}
    for line in text.splitlines():
        if line.startswith("tenantry_operator_reconciles_total{"):
            labels, _, value = line.rpartition(" ")
            counts[labels[len("tenantry_operator_reconciles_total") :]] = float(value)
        for suffix in ("sum", "count"):
            if line.startswith(f'tenantry_operator_reconcile_duration_seconds_{suffix}{{kind="Tenant"}}'):
                counts[f"duration_{suffix}"] = float(line.rpartition(" ")[2])
    return counts


def stop_operator(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM (kopf stops gracefully), then SIGKILL; its leftover children by their pids."""
    if process.poll() is not None:
        return
    try:
        children = psutil.Process(process.pid).children(recursive=True)
    except psutil.Error:
        children = []
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)
    for child in children:
        with suppress(psutil.Error):
            if child.is_running():
                child.kill()


class Scratch:
    """What the run creates outside the emulator, removed by `cleanup` whatever happened."""

    def __init__(self, server: str, broker_admin_url: str) -> None:
        self.server = server
        self.broker_admin_url = broker_admin_url
        self.databases: list[str] = []
        self.slugs: list[str] = []
        with BrokerAdmin.from_url(broker_admin_url) as admin:
            self.platform_vhost_existed = admin.get_vhost(PLATFORM_VHOST) is not None

    def create_database(self, name: str) -> None:
        self.databases.append(name)
        with psycopg.connect(f"{self.server}/postgres", autocommit=True) as conn:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))

    def cleanup(self) -> None:
        problems: list[str] = []
        started = time.perf_counter()

        def remove_broker(slug: str) -> None:
            with BrokerAdmin.from_url(self.broker_admin_url) as admin:
                delete_tenant_broker(admin, slug)

        with ThreadPoolExecutor(8) as pool:
            for slug, result in zip(
                self.slugs, pool.map(lambda s: _attempt(remove_broker, s), self.slugs), strict=True
            ):
                if result:
                    problems.append(f"vhost/user of {slug}: {result}")
        if not self.platform_vhost_existed:
            with BrokerAdmin.from_url(self.broker_admin_url) as admin:
                admin.delete_vhost(PLATFORM_VHOST)
        roles = [role_name(slug) for slug in self.slugs]
        # Each scratch shard database had a template role of its own.
        roles += [template_role_for(f"{self.server}/{database}") for database in self.databases]
        with psycopg.connect(f"{self.server}/postgres", autocommit=True) as conn:
            for database in self.databases:
                conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(database)))
            for role in roles:
                try:
                    conn.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(role)))
                except psycopg.Error as exc:
                    problems.append(f"role {role}: {str(exc).strip()}")
        for problem in problems[:10]:
            print(f"  cleanup: could not remove {problem}")
        if len(problems) > 10:
            print(f"  cleanup: ... and {len(problems) - 10} more")
        print(
            f"cleaned up in {time.perf_counter() - started:.1f} s: {len(self.databases)} databases, "
            f"{len(roles)} roles, {len(self.slugs)} vhosts and broker users"
        )


def _attempt(action: Any, *args: Any) -> str:
    try:
        action(*args)
    except Exception as exc:
        return f"{type(exc).__name__}: {exc}"
    return ""


def write_kubeconfig(directory: Path, url: str) -> Path:
    path = directory / "kubeconfig"
    path.write_text(
        json.dumps(
            {
                "apiVersion": "v1",
                "kind": "Config",
                "clusters": [{"name": "emulator", "cluster": {"server": url}}],
                "users": [{"name": "bench", "user": {"token": "bench"}}],
                "contexts": [{"name": "emulator", "context": {"cluster": "emulator", "user": "bench"}}],
                "current-context": "emulator",
            }
        )
    )
    return path


def add_shard(kube: Kube, scratch: Scratch, name: str, run_id: str) -> None:
    database = f"tenantry_bench_{name.replace('-', '_')}_{run_id}"
    scratch.create_database(database)
    dsn = f"host=127.0.0.1 port=5432 user=postgres dbname={database}"
    kube.ensure(
        {
            "apiVersion": "v1",
            "kind": "Secret",
            "metadata": {"name": f"{name}-admin", "namespace": SYSTEM_NAMESPACE},
            "data": {"dsn": base64.b64encode(dsn.encode()).decode()},
        }
    )
    kube.create(
        {
            "apiVersion": GROUP_VERSION,
            "kind": "DatabaseShard",
            "metadata": {"name": name},
            "spec": {
                "adminSecretRef": {"name": f"{name}-admin", "namespace": SYSTEM_NAMESPACE, "key": "dsn"},
                "region": "local",
                "capacity": {"maxTenants": SHARD_CAPACITY},
                "database": database,
            },
        }
    )


def tenant_body(slug: str) -> dict[str, Any]:
    return {
        "apiVersion": GROUP_VERSION,
        "kind": "Tenant",
        "metadata": {"name": slug},
        "spec": {
            "displayName": slug.title(),
            "plan": "free",
            "tier": "shared",
            "owner": {"email": f"owner@{slug}.example"},
            "region": "local",
        },
    }


def ready_count(emulator: EmulatorThread, plural: str) -> tuple[int, int]:
    objects = emulator.kube.list(GROUP_VERSION, plural)
    return sum(1 for obj in objects if is_ready(obj)), len(objects)


def wait_until(deadline: float, check: Any, operator: subprocess.Popen[bytes], interval: float = 0.5) -> bool:
    while time.monotonic() < deadline:
        if check():
            return True
        if operator.poll() is not None:
            raise RuntimeError(f"the operator exited with {operator.returncode}")
        time.sleep(interval)
    return False


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--tenants", type=int, default=500)
    parser.add_argument("--timeout", type=float, default=600.0, help="bound of the whole run, in seconds")
    parser.add_argument("--server", default="postgresql://postgres@127.0.0.1:5432")
    parser.add_argument("--broker-admin-url", default="http://guest:guest@127.0.0.1:15672")
    parser.add_argument("--create-threads", type=int, default=8, help="concurrent Tenant creations")
    parser.add_argument("--keep-log", action="store_true", help="keep the operator's log file")
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, _terminate)
    deadline = time.monotonic() + args.timeout
    run_id = secrets.token_hex(3)
    scratch = Scratch(args.server, args.broker_admin_url)
    workdir = Path(tempfile.mkdtemp(prefix="tenantry-operator-scale-"))
    log_path = workdir / "operator.log"
    operator: subprocess.Popen[bytes] | None = None
    sampler: RssSampler | None = None
    metrics_port = free_port()
    figures: dict[str, Any] = {}
    try:
        with EmulatorThread() as emulator:
            try:
                kube = Kube(KubeConfig(server=emulator.url))
                for name in ("scale-shard-a", "scale-shard-b"):
                    add_shard(kube, scratch, name, run_id)
                env = {
                    **os.environ,
                    "KUBECONFIG": str(write_kubeconfig(workdir, emulator.url)),
                    "OPERATOR_MIGRATIONS": "local",
                    "TENANT_APP_MANAGE_PY": str(REPO / "tenant-app" / "manage.py"),
                    "OPERATOR_PEERING": "false",
                    "OPERATOR_METRICS_PORT": str(metrics_port),
                    "OPERATOR_LIVENESS_PORT": str(free_port()),
                    "OPERATOR_DRIFT_INTERVAL": "600",
                    "OPERATOR_SHARD_INTERVAL": "5",
                    "BROKER_ADMIN_URL": args.broker_admin_url,
                }
                with log_path.open("wb") as log:
                    operator = subprocess.Popen(
                        [sys.executable, "-m", "tenant_operator"],
                        cwd=REPO,
                        env=env,
                        stdout=log,
                        stderr=subprocess.STDOUT,
                    )
                sampler = RssSampler(operator.pid)
                sampler.start()
                started = time.perf_counter()
                if not wait_until(deadline, lambda: ready_count(emulator, "databaseshards") == (2, 2), operator):
                    raise RuntimeError("the DatabaseShards did not become Ready in time")
                print(f"operator up and both shards Ready after {time.perf_counter() - started:.1f} s")

                scratch.slugs = [f"scale-{run_id}-{index:04d}" for index in range(args.tenants)]
                local = threading.local()

                def create(slug: str) -> None:
                    if not hasattr(local, "kube"):
                        local.kube = Kube(KubeConfig(server=emulator.url))
                    local.kube.create(tenant_body(slug))

                started = time.perf_counter()
                with ThreadPoolExecutor(args.create_threads) as pool:
                    list(pool.map(create, scratch.slugs))
                created_seconds = time.perf_counter() - started
                print(f"created {args.tenants} Tenants in {created_seconds:.1f} s")

                progress = {"ready": 0, "next_report": time.perf_counter() + 10}

                def all_ready() -> bool:
                    progress["ready"], _ = ready_count(emulator, "tenants")
                    if time.perf_counter() >= progress["next_report"]:
                        progress["next_report"] += 10
                        print(
                            f"  {time.perf_counter() - started:5.0f} s: {progress['ready']}/{args.tenants} Ready, "
                            f"operator RSS {sampler.last / 2**20:.0f} MB"
                        )
                    return progress["ready"] == args.tenants

                finished = wait_until(deadline, all_ready, operator)
                elapsed = time.perf_counter() - started
                figures.update(
                    tenants=args.tenants,
                    ready=progress["ready"],
                    finished=finished,
                    elapsed=elapsed,
                    created=created_seconds,
                )
                with suppress(requests.RequestException):
                    figures["reconciles"] = reconciles_total(metrics_port)
                sampler.stop()
                figures.update(peak=sampler.peak, final=sampler.last, samples=sampler.samples)
                shards = emulator.kube.list(GROUP_VERSION, "databaseshards")
                placed: dict[str, int] = {}
                for tenant in emulator.kube.list(GROUP_VERSION, "tenants"):
                    shard = (tenant.get("status") or {}).get("shard", "(none)")
                    placed[shard] = placed.get(shard, 0) + 1
                figures["placed"] = placed
                figures["shards"] = [s["metadata"]["name"] for s in shards]
            finally:
                # Before the emulator goes away, so that the operator stops on a live API.
                if sampler is not None:
                    sampler.stop()
                if operator is not None:
                    stop_operator(operator)
                    print(f"operator stopped (exit code {operator.returncode})")
    except KeyboardInterrupt:
        print("interrupted; cleaning up")
    finally:
        scratch.cleanup()
        if args.keep_log or not figures.get("finished"):
            print(f"operator log kept at {log_path}")
        else:
            log_path.unlink(missing_ok=True)
            (workdir / "kubeconfig").unlink(missing_ok=True)
            workdir.rmdir()
    if figures:
        report(figures)


def report(figures: dict[str, Any]) -> None:
    count, elapsed = figures["tenants"], figures["elapsed"]
    print(f"operator at scale: {count} shared-tier free-plan Tenants on 2 shards (capacity {SHARD_CAPACITY} each)")
    if figures["finished"]:
        verdict = "meets" if elapsed <= TARGET_SECONDS else "misses"
        print(f"  all {count} Ready after {elapsed:.1f} s ({verdict} the target <= {TARGET_SECONDS:.0f} s)")
    else:
        print(f"  TIMED OUT after {elapsed:.1f} s: {figures['ready']}/{count} Ready")
    print(f"  creating the Tenants took {figures['created']:.1f} s of that")
    print(f"  throughput: {figures['ready'] / elapsed:.1f} tenants/s")
    for label, key in (("peak", "peak"), ("final", "final")):
        mb = figures[key] / 2**20
        verdict = "meets" if mb <= TARGET_RSS_MB else "misses"
        print(f"  operator RSS {label} {mb:.0f} MB incl. children ({verdict} the target <= {TARGET_RSS_MB:.0f} MB)")
    print(f"  ({figures['samples']} RSS samples every 0.5 s)")
    print(f"  placement: {figures['placed']}")
    reconciles = figures.get("reconciles")
    if reconciles is None:
        print("  tenantry_operator_reconciles_total: metrics endpoint unreachable")
    else:
        duration_sum, duration_count = reconciles.pop("duration_sum", 0.0), reconciles.pop("duration_count", 0.0)
        print(f"  tenantry_operator_reconciles_total: {sum(reconciles.values()):.0f} in all")
        for labels, value in sorted(reconciles.items()):
            print(f"    {labels} {value:.0f}")
        if duration_count:
            print(f"  mean Tenant reconcile {duration_sum / duration_count:.2f} s over {duration_count:.0f}")
    print(f"  targets: all Ready <= {TARGET_SECONDS:.0f} s, operator RSS <= {TARGET_RSS_MB:.0f} MB")


if __name__ == "__main__":
    main()
