"""End to end in cluster mode: a signup on the portal becomes a `Tenant` resource, the operator provisions it
for real, and its deletion through the portal goes back through the operator's finalizer.

Everything runs for real on loopback: the Kubernetes API emulator (in this process), the operator
(`python -m tenant_operator`), the control plane's web process, its Celery worker on a private queue and its
status loop (`manage.py sync_tenants --every 1`), on scratch databases of the local PostgreSQL (the control
plane's and one DatabaseShard's) and the local RabbitMQ.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
import subprocess
import sys
import threading
from collections.abc import Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import kombu
import psycopg
import pytest
import requests
from psycopg import sql
from psycopg.rows import dict_row

from tenantry_kernel.provisioning import broker, routing
from tenantry_kernel.provisioning.database.migrations import ManagePyMigrationRunner
from tenantry_kernel.provisioning.database.schemas import inspect_tenant_database
from tenantry_kernel.provisioning.database.template_clone import TemplateCloneRunner
from tenantry_kernel.testing import ServedApp, free_port, serve_app, stop_process, wait_until
from tenantry_kernel.testing.databases import drop_role, migrated_database, new_database, server_conninfo, server_env
from tenantry_kernel.testing.kubernetes import EmulatorThread

ROOT = Path(__file__).resolve().parents[1]
PLATFORM, OPERATOR, TENANT_APP = ROOT / "platform", ROOT / "operator", ROOT / "tenant-app"
CONTROL_PLANE_SETTINGS = "control_plane.settings.local"
BROKER_ADMIN = "http://guest:guest@127.0.0.1:15672"
BROKER_URL = "amqp://guest:guest@127.0.0.1:5672//"
SYSTEM_NAMESPACE = "tenantry-system"
SHARD = "shard-e2e"
PASSWORD = "correct horse battery staple 42"
# Where the operator puts shared-tier stores (its TENANT_BASE_DOMAIN; http, as on a laptop).
TENANT_DOMAIN = "tenantry.localhost"


@dataclass(frozen=True)
class Cluster:
    emulator: EmulatorThread
    control_plane: ServedApp
    platform_db: str
    shard_dsn: str
    processes: tuple[Background, ...]

    def resource(self, slug: str) -> dict[str, Any] | None:
        """The Tenant resource as the API server holds it."""
        found: dict[str, Any] | None = self.emulator.kube.get("tenantry.dev/v1alpha1", "tenants", slug)
        return found

    def record(self, slug: str) -> dict[str, Any]:
        """The control plane's tenant record, read from its database."""
        with psycopg.connect(dbname=self.platform_db, host="127.0.0.1", user="postgres", row_factory=dict_row) as conn:
            row = conn.execute(
                "SELECT state, url, shard, conditions FROM tenants_tenant WHERE slug = %s", [slug]
            ).fetchone()
        assert row is not None, f"the control plane has no tenant {slug}"
        return dict(row)

    def oidc_client(self, slug: str) -> dict[str, Any] | None:
        """The tenant app's OpenID Connect client registered on the control plane, if any."""
        with psycopg.connect(dbname=self.platform_db, host="127.0.0.1", user="postgres", row_factory=dict_row) as conn:
            row = conn.execute(
                "SELECT client_id, redirect_uris FROM oauth2_provider_application WHERE client_id = %s",
                [f"tenant-{slug}"],
            ).fetchone()
        return dict(row) if row is not None else None

    def wait(self, condition: Any, timeout: float, what: str) -> Any:
        """`wait_until`, failing with the processes' last output."""
        try:
            return wait_until(condition, timeout, what)
        except AssertionError as timed_out:
            raise AssertionError(f"{timed_out}\n{self.diagnostics()}") from None

    def diagnostics(self) -> str:
        """What every process printed last: the reason a wait timed out is usually there."""
        served = "\n".join(self.control_plane.lines[-20:])
        return "\n".join([*(each.tail() for each in self.processes), f"--- control plane web ---\n{served}"])


@dataclass
class Background:
    """A running process and the lines it printed so far (stdout and stderr together)."""

    name: str
    process: subprocess.Popen[str]
    lines: list[str] = field(default_factory=list)

    def tail(self, count: int = 40) -> str:
        """The last lines, for a failure message: what the process was doing."""
        return f"--- {self.name} (exit {self.process.poll()}) ---\n" + "\n".join(self.lines[-count:])

    def alive(self) -> bool:
        return self.process.poll() is None


@contextmanager
def background(name: str, argv: list[str], cwd: Path, env: Mapping[str, str]) -> Iterator[Background]:
    """Run `argv` in `cwd` with the environment plus `env`; terminated (killed if it hangs) on exit."""
    process = subprocess.Popen(
        argv,
        cwd=cwd,
        env={**os.environ, "PYTHONUNBUFFERED": "1", **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    running = Background(name, process)

    def collect() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            running.lines.append(line.rstrip("\n"))

    reader = threading.Thread(target=collect, name=f"{name}-output", daemon=True)
    reader.start()
    try:
        yield running
    finally:
        stop_process(process, timeout=20)
        reader.join(timeout=5)


def database_env(name: str) -> dict[str, str]:
    return server_env(name)


def manage(env: dict[str, str], *args: str) -> None:
    """The control plane's `manage.py` with `env`; fails the test with its output when it fails."""
    completed = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=PLATFORM,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert completed.returncode == 0, completed.stdout[-2000:] + completed.stderr[-4000:]


def ready_condition(resource: dict[str, Any] | None) -> dict[str, Any] | None:
    conditions = ((resource or {}).get("status") or {}).get("conditions") or []
    return next((c for c in conditions if c.get("type") == "Ready"), None)


def create_object(emulator: EmulatorThread, path: str, body: dict[str, Any]) -> None:
    response = requests.post(f"{emulator.url}{path}", json=body, timeout=10)
    assert response.status_code == 201, response.text


def register_shard(emulator: EmulatorThread, dsn: str, database_name: str) -> None:
    """The shard's admin Secret and its DatabaseShard, as a platform operator applies them."""
    create_object(
        emulator,
        f"/api/v1/namespaces/{SYSTEM_NAMESPACE}/secrets",
        {
            "apiVersion": "v1",
            "kind": "Secret",
            "metadata": {"name": f"{SHARD}-admin", "namespace": SYSTEM_NAMESPACE},
            "data": {"dsn": base64.b64encode(dsn.encode()).decode()},
        },
    )
    create_object(
        emulator,
        "/apis/tenantry.dev/v1alpha1/databaseshards",
        {
            "apiVersion": "tenantry.dev/v1alpha1",
            "kind": "DatabaseShard",
            "metadata": {"name": SHARD},
            "spec": {
                "adminSecretRef": {"name": f"{SHARD}-admin", "namespace": SYSTEM_NAMESPACE, "key": "dsn"},
                "region": "local",
                "capacity": {"maxTenants": 10},
                "database": database_name,
            },
        },
    )


def kubeconfig_for(emulator: EmulatorThread, directory: Path) -> Path:
    path = directory / "kubeconfig.json"
    config = {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": "emulator", "cluster": {"server": emulator.url}}],
        "users": [{"name": "e2e", "user": {"token": "e2e"}}],
        "contexts": [{"name": "emulator", "context": {"cluster": "emulator", "user": "e2e"}}],
        "current-context": "emulator",
    }
    path.write_text(json.dumps(config))
    return path


def delete_queue(name: str) -> None:
    with kombu.Connection(BROKER_URL, connect_timeout=5) as connection:
        kombu.Queue(name).bind(connection.default_channel).delete()


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    """The whole platform in cluster mode, once per module (migrating the control plane takes minutes)."""
    directory = tmp_path_factory.mktemp("cluster")
    queue = f"control-plane-e2e-{secrets.token_hex(4)}"
    template_role = f"tenantry_template_e2e_{secrets.token_hex(4)}"
    with ExitStack() as stack:
        # Exits run last-in first-out: this role goes after the shard database that holds its template.
        stack.callback(drop_role, template_role)
        platform_db = stack.enter_context(migrated_database("control_plane"))
        shard_db = stack.enter_context(new_database())
        shard_dsn = server_conninfo(shard_db)
        env = {
            **database_env(platform_db),
            "DJANGO_SETTINGS_MODULE": CONTROL_PLANE_SETTINGS,
            "TENANT_PROVISIONER": "kubernetes",
            "CELERY_DEFAULT_QUEUE": queue,  # other suites' workers on this broker never take these tasks
            "BROKER_URL": BROKER_URL,
            "PLATFORM_SSO_CLIENT_KEY": secrets.token_urlsafe(48),
            "OIDC_LOCAL_KEY_DIR": str(directory / "oidc"),
            "SIGNUP_RATE_PER_IP": "1000/hour",  # every request here comes from 127.0.0.1
            "SIGNUP_RATE_PER_EMAIL": "1000/hour",
        }
        # The shard's tenant template is built as a deploy would (ensure_template), under a role of its own so
        # that no other shard's build on this server changes its password. (The control plane's database is a
        # copy of a migrated template: the migrate here only confirms it.)
        template = TemplateCloneRunner(
            shard_dsn, ManagePyMigrationRunner(TENANT_APP / "manage.py"), template_role=template_role
        )
        with ThreadPoolExecutor(1) as pool:
            built = pool.submit(template.ensure_template)
            manage(env, "migrate", "--noinput", "-v", "0")
            built.result()

        emulator = stack.enter_context(EmulatorThread())
        env["KUBERNETES_API_URL"] = emulator.url
        register_shard(emulator, shard_dsn, shard_db)
        operator = stack.enter_context(
            background(
                "operator",
                [sys.executable, "-m", "tenant_operator"],
                OPERATOR,
                {
                    "KUBECONFIG": str(kubeconfig_for(emulator, directory)),
                    "OPERATOR_PEERING": "false",
                    "OPERATOR_METRICS_PORT": str(free_port()),
                    "OPERATOR_LIVENESS_PORT": str(free_port()),
                    "OPERATOR_MIGRATIONS": "local",  # the operator runs the tenant app's migrations (no Jobs run here)
                    "TENANT_APP_MANAGE_PY": str(TENANT_APP / "manage.py"),
                    "TENANT_URL_SCHEME": "http",
                    "TENANT_BASE_DOMAIN": TENANT_DOMAIN,
                    "BROKER_ADMIN_URL": BROKER_ADMIN,
                },
            )
        )

        def shard_checked() -> bool:
            shard = emulator.kube.get("tenantry.dev/v1alpha1", "databaseshards", SHARD)
            return (ready_condition(shard) or {}).get("status") == "True" or not operator.alive()

        # A tenant placed before its shard is checked would wait for the placement retry.
        wait_until(shard_checked, 60, "the operator finding the DatabaseShard Ready")
        assert operator.alive(), operator.tail()

        stack.callback(delete_queue, queue)  # after the worker below has stopped
        control_plane = stack.enter_context(
            serve_app("control_plane.asgi:application", "control-plane", CONTROL_PLANE_SETTINGS, str(PLATFORM), env)
        )
        worker = stack.enter_context(
            background(
                "control-plane worker",
                [
                    sys.executable, "-m", "celery", "-A", "control_plane", "worker", "--pool", "threads",
                    "--concurrency", "4", "-Q", queue, "-n", f"{queue}@%h", "--without-gossip", "--without-mingle",
                ],
                PLATFORM,
                env,
            )
        )  # fmt: skip
        status_loop = stack.enter_context(
            background("sync_tenants", [sys.executable, "manage.py", "sync_tenants", "--every", "1"], PLATFORM, env)
        )
        yield Cluster(emulator, control_plane, platform_db, shard_dsn, (operator, worker, status_loop))


@pytest.fixture
def slug(cluster: Cluster) -> Iterator[str]:
    """A store address of this test; whatever a failed run left of it (vhost, user, role) is removed."""
    name = f"shop-{secrets.token_hex(3)}"
    yield name
    broker.delete_tenant_broker(broker.BrokerAdmin.from_url(BROKER_ADMIN), name)
    role = "tenant_" + name.replace("-", "_")
    with psycopg.connect(cluster.shard_dsn, autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role]).fetchone():
            conn.execute(sql.SQL("DROP OWNED BY {} CASCADE").format(sql.Identifier(role)))
            conn.execute(sql.SQL("DROP ROLE {}").format(sql.Identifier(role)))


def test_a_signup_is_provisioned_by_the_operator_and_its_deletion_goes_through_the_finalizer(
    cluster: Cluster, slug: str
) -> None:
    portal = cluster.control_plane.base_url
    email = f"owner-{slug}@example.com"
    admin = broker.BrokerAdmin.from_url(BROKER_ADMIN)

    # Given a store owner signing up through the portal API,
    signup = requests.post(
        f"{portal}/api/v1/signup/",
        json={
            "email": email, "password": PASSWORD, "full_name": "Olive Owner", "store_name": "Olive's Oils",
            "slug": slug, "plan": "free",
        },
        timeout=30,
    )  # fmt: skip
    assert signup.status_code == 202, signup.text
    assert signup.json()["tenant"]["state"] == "provisioning"
    owner = {"Authorization": f"Bearer {signup.json()['tokens']['access']}"}

    # the control plane's worker writes the Tenant resource with the record's spec,
    created = cluster.wait(lambda: cluster.resource(slug), 60, f"the Tenant resource {slug}")
    assert created["spec"] == {
        "displayName": "Olive's Oils",
        "plan": "free",
        "tier": "shared",
        "region": "local",
        "owner": {"email": email},
        "database": {"deletionPolicy": "Delete"},
        "broker": {"deletionPolicy": "Delete"},
        "suspended": False,
    }
    assert created["metadata"]["labels"] == {"app.kubernetes.io/managed-by": "tenantry-control-plane"}

    # the operator provisions it for real and reports Ready,
    ready = cluster.wait(
        lambda: (r := cluster.resource(slug)) and (ready_condition(r) or {}).get("status") == "True" and r,
        120,
        f"the operator reporting {slug} Ready",
    )
    assert ready["status"]["shard"] == SHARD
    assert "tenantry.dev/finalizer" in ready["metadata"]["finalizers"]
    state = inspect_tenant_database(cluster.shard_dsn, slug)
    assert (state.role_exists, state.role_can_login, state.schema_exists, state.migrated) == (True, True, True, True)
    assert broker.inspect_tenant_broker(admin, slug).vhost_exists
    assert [(r.host, r.suspended) for r in routing.routes_of(cluster.shard_dsn, slug)] == [
        (f"{slug}.{TENANT_DOMAIN}", False)
    ]

    # and the control plane mirrors it: the store is ready at the operator's URL, with its sign-in client.
    url = f"http://{slug}.{TENANT_DOMAIN}/"

    def store() -> dict[str, Any]:
        answer = requests.get(f"{portal}/api/v1/tenants/{slug}/", headers=owner, timeout=10)
        assert answer.status_code == 200, answer.text
        body: dict[str, Any] = answer.json()
        return body

    mirrored = cluster.wait(lambda: (s := store())["state"] == "ready" and s, 30, f"{slug} ready on the portal")
    assert (mirrored["url"], mirrored["role"]) == (url, "owner")
    record = cluster.record(slug)
    assert record["shard"] == SHARD
    assert {c["type"]: c["status"] for c in record["conditions"]} == {
        "Ready": "True",
        "DatabaseReady": "True",
        "BrokerReady": "True",
        "WorkloadReady": "True",
        "Suspended": "False",
    }
    assert cluster.oidc_client(slug) == {
        "client_id": f"tenant-{slug}",
        "redirect_uris": f"{url}api/v1/auth/sso/platform/callback/",
    }

    # When the owner deletes the store through the portal, dropping its data,
    deleted = requests.delete(
        f"{portal}/api/v1/tenants/{slug}/", json={"deletion_policy": "Delete"}, headers=owner, timeout=30
    )

    # then the resource is removed once the operator's finalizer has dropped schema, role, vhost and route,
    assert deleted.status_code == 202, deleted.text
    assert deleted.json()["state"] == "deleting"
    cluster.wait(lambda: cluster.resource(slug) is None, 60, f"the Tenant resource {slug} gone")
    state = inspect_tenant_database(cluster.shard_dsn, slug)
    assert (state.role_exists, state.schema_exists) == (False, False)
    assert not broker.inspect_tenant_broker(admin, slug).vhost_exists
    assert routing.routes_of(cluster.shard_dsn, slug) == []
    # and the control plane's record becomes deleted, its client gone and the store out of the portal.
    cluster.wait(lambda: cluster.record(slug)["state"] == "deleted", 30, f"{slug} deleted on the control plane")
    assert cluster.oidc_client(slug) is None
    gone = requests.get(f"{portal}/api/v1/tenants/{slug}/", headers=owner, timeout=10)
    assert gone.status_code == 404, gone.text
    assert all(each.alive() for each in cluster.processes), cluster.diagnostics()
