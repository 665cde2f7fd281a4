"""Fixtures that run the operator for real: kopf on its own thread against the kmock-based
emulator, provisioning on this machine's PostgreSQL and RabbitMQ."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import os
import secrets
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import psycopg
import pytest
from psycopg import sql

# Timers read their intervals when the handlers module is imported.
os.environ.setdefault("OPERATOR_DRIFT_INTERVAL", "1.5")
os.environ.setdefault("OPERATOR_SHARD_INTERVAL", "2")

import kopf

from tenant_operator import handlers
from tenant_operator.config import OperatorConfig
from tenant_operator.kube import Kube, KubeConfig
from tenant_operator.reconcile import OperatorContext
from tenantry_kernel.provisioning import broker as broker_lib
from tenantry_kernel.provisioning.database.template_clone import template_role_for
from tenantry_kernel.testing.databases import server_conninfo
from tenantry_kernel.testing.kubernetes import EmulatorThread

# The handlers registered at import time: kopf's default registry may be replaced later.
REGISTRY = kopf.get_default_registry()
REPO = Path(__file__).resolve().parents[2]
SYSTEM_NAMESPACE = "tenantry-system"


@pytest.fixture
def emulator() -> Iterator[EmulatorThread]:
    with EmulatorThread() as running:
        yield running


@pytest.fixture
def kube(emulator: EmulatorThread) -> Kube:
    return Kube(KubeConfig(server=emulator.url))


def create_database(name: str) -> None:
    with psycopg.connect(dbname="postgres", autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def drop_database(name: str) -> None:
    with psycopg.connect(dbname="postgres", autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


@dataclass
class Shards:
    """DatabaseShards on scratch databases of the local server, removed afterwards."""

    kube: Kube
    databases: list[str] = field(default_factory=list)

    def add(self, name: str, region: str = "local", max_tenants: int = 100, cordoned: bool = False) -> str:
        database = f"tenantry_test_{name.replace('-', '_')}_{secrets.token_hex(3)}"
        create_database(database)
        self.databases.append(database)
        dsn = server_conninfo(database)
        spec = {"region": region, "capacity": {"maxTenants": max_tenants}, "cordoned": cordoned, "database": database}
        self._register(name, dsn, spec)
        return dsn

    def add_unreachable(self, name: str) -> int:
        """A DatabaseShard whose admin DSN points at a closed port."""
        from tenantry_kernel.testing import free_port

        port = free_port()
        self._register(name, f"host=127.0.0.1 port={port} user=postgres dbname=nowhere connect_timeout=2", {})
        return port

    def _register(self, name: str, dsn: str, spec: dict[str, Any]) -> None:
        """The admin Secret and the DatabaseShard, as a platform operator would apply them."""
        self.kube.ensure(
            {
                "apiVersion": "v1",
                "kind": "Secret",
                "metadata": {"name": f"{name}-admin", "namespace": SYSTEM_NAMESPACE},
                "data": {"dsn": base64.b64encode(dsn.encode()).decode()},
            }
        )
        self.kube.create(
            {
                "apiVersion": "tenantry.dev/v1alpha1",
                "kind": "DatabaseShard",
                "metadata": {"name": name},
                "spec": {
                    "adminSecretRef": {"name": f"{name}-admin", "namespace": SYSTEM_NAMESPACE, "key": "dsn"},
                    **spec,
                },
            }
        )


@pytest.fixture
def shards(kube: Kube) -> Iterator[Shards]:
    created = Shards(kube)
    yield created
    for database in created.databases:
        drop_database(database)
        # Its template role (one per shard database) owned nothing outside it.
        with psycopg.connect(server_conninfo(), autocommit=True) as conn:
            role = template_role_for(server_conninfo(database))
            conn.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(role)))


@dataclass
class Tenants:
    """Tenant slugs made unique per test; their roles and vhosts are cleaned up afterwards."""

    kube: Kube
    slugs: list[str] = field(default_factory=list)

    def slug(self, prefix: str = "shop") -> str:
        slug = f"{prefix}-{secrets.token_hex(3)}"
        self.slugs.append(slug)
        return slug

    def create(self, slug: str, **spec: Any) -> dict[str, Any]:
        body = {
            "displayName": slug.title(),
            "plan": "free",
            "tier": "shared",
            "owner": {"email": f"owner@{slug}.example"},
            "region": "local",
            **spec,
        }
        return self.kube.create(
            {"apiVersion": "tenantry.dev/v1alpha1", "kind": "Tenant", "metadata": {"name": slug}, "spec": body}
        )


@pytest.fixture
def tenants(kube: Kube, shards: Shards) -> Iterator[Tenants]:
    created = Tenants(kube)
    yield created
    admin = broker_lib.BrokerAdmin.from_url("http://guest:guest@127.0.0.1:15672")
    for slug in created.slugs:
        broker_lib.delete_tenant_broker(admin, slug)
        with psycopg.connect(server_conninfo(), autocommit=True) as conn:
            role = "tenant_" + slug.replace("-", "_")
            exists = conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role]).fetchone()
            if exists:
                # Only this test's shard databases: others belong to runs beside this one.
                for database in shards.databases:
                    with psycopg.connect(server_conninfo(database), autocommit=True) as db:
                        db.execute(sql.SQL("DROP OWNED BY {} CASCADE").format(sql.Identifier(role)))
                conn.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(role)))


@dataclass
class RunningOperator:
    thread: threading.Thread
    stop: threading.Event
    context: OperatorContext

    def halt(self) -> None:
        self.stop.set()
        self.thread.join(timeout=30)


def start_operator(emulator: EmulatorThread, tmp_path: Path, **overrides: Any) -> RunningOperator:
    kubeconfig = tmp_path / f"kubeconfig-{secrets.token_hex(2)}"
    kubeconfig.write_text(
        json.dumps(
            {
                "apiVersion": "v1",
                "kind": "Config",
                "clusters": [{"name": "emulator", "cluster": {"server": emulator.url}}],
                "users": [{"name": "test", "user": {"token": "test"}}],
                "contexts": [{"name": "emulator", "context": {"cluster": "emulator", "user": "test"}}],
                "current-context": "emulator",
            }
        )
    )
    os.environ["KUBECONFIG"] = str(kubeconfig)
    defaults: dict[str, Any] = {
        "migrations": "local",
        "tenant_app_manage_py": REPO / "tenant-app" / "manage.py",
        "drift_interval": 1.5,
        "shard_interval": 2,
        "url_scheme": "http",
    }
    config = replace(OperatorConfig(), **{**defaults, **overrides})
    handlers.context = handlers.build_context(config)
    stop, ready = threading.Event(), threading.Event()

    def run() -> None:
        # SystemExit: a test "kills" the process from inside a handler.
        with contextlib.suppress(SystemExit):
            asyncio.run(
                kopf.operator(registry=REGISTRY, clusterwide=True, standalone=True, stop_flag=stop, ready_flag=ready)
            )

    thread = threading.Thread(target=run, name="kopf", daemon=True)
    thread.start()
    if not ready.wait(30):
        raise RuntimeError("the operator did not start")
    # Tenants created before their shard is checked would wait for the placement retry.
    kube = handlers.context.kube
    wait_for(lambda: all(is_ready(shard) for shard in kube.list("DatabaseShard")), 30, "shards Ready")
    return RunningOperator(thread, stop, handlers.context)


@pytest.fixture
def operator(emulator: EmulatorThread, tmp_path: Path) -> Iterator[Callable[..., RunningOperator]]:
    running: list[RunningOperator] = []

    def start(**overrides: Any) -> RunningOperator:
        started = start_operator(emulator, tmp_path, **overrides)
        running.append(started)
        return started

    yield start
    for each in running:
        each.halt()
    handlers.context = None


def wait_for(predicate: Callable[[], Any], timeout: float = 60, message: str = "") -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout}s waiting for {message or predicate}")


def condition(obj: dict[str, Any] | None, type_: str) -> dict[str, Any] | None:
    if obj is None:
        return None
    for each in (obj.get("status") or {}).get("conditions", []):
        if each["type"] == type_:
            return dict(each)
    return None


def stored(kube: Kube, kind: str, name: str, namespace: str | None = None) -> dict[str, Any]:
    """The object as the API holds it; a test failure when it does not exist."""
    obj = kube.get(kind, name, namespace)
    assert obj is not None, f"{kind} {namespace + '/' if namespace else ''}{name} does not exist"
    return obj


def must_condition(obj: dict[str, Any] | None, type_: str) -> dict[str, Any]:
    found = condition(obj, type_)
    assert found is not None, f"no {type_} condition in {obj}"
    return found


def is_ready(obj: dict[str, Any] | None) -> bool:
    ready = condition(obj, "Ready")
    return bool(ready and ready["status"] == "True")


__all__ = ["condition", "is_ready", "wait_for"]
