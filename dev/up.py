"""Run Tenantry locally: migrate, then serve the control plane and the tenant app with their workers.

    make up        (or: python dev/up.py after `python dev/services.py`)

Each web process listens on a free port (or CONTROL_PLANE_PORT / TENANT_APP_PORT); next to
them run each database's outbox relay, the event consumers, and the tenant app's Celery
worker and beat. Every process logs JSON lines to this terminal. Ctrl-C stops every child.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from types import FrameType

from services import ROOT, load_env, port_open


@dataclass(frozen=True)
class Component:
    title: str
    directory: str
    package: str
    service: str
    port_variable: str
    # Names another database than the settings' default (each component has its own).
    database_variable: str

    def environment(self, env: dict[str, str]) -> dict[str, str]:
        database = {"PGDATABASE": env[self.database_variable]} if env.get(self.database_variable) else {}
        return {**env, **database, "DJANGO_SETTINGS_MODULE": f"{self.package}.settings.local"}


COMPONENTS = [
    Component("control plane", "platform", "control_plane", "control-plane", "CONTROL_PLANE_PORT", "CONTROL_PLANE_DB"),
    Component("tenant app", "tenant-app", "tenant_app", "tenant-app", "TENANT_APP_PORT", "TENANT_APP_DB"),
]


@dataclass(frozen=True)
class Worker:
    title: str
    component: Component
    command: tuple[str, ...]  # after the Python interpreter, run in the component's folder


CONTROL_PLANE, TENANT_APP = COMPONENTS
WORKERS = [
    Worker("control-plane relay", CONTROL_PLANE, ("manage.py", "relay_events")),
    Worker("usage consumer", CONTROL_PLANE, ("manage.py", "consume_events", "usage")),
    Worker("tenant-app relay", TENANT_APP, ("manage.py", "relay_events")),
    Worker("member consumer", TENANT_APP, ("manage.py", "consume_events", "members")),
    Worker("celery worker", TENANT_APP, ("-m", "celery", "-A", "tenant_app", "worker", "--pool", "threads",
                                          "--concurrency", "4", "--loglevel", "INFO")),
    Worker("celery beat", TENANT_APP, ("-m", "celery", "-A", "tenant_app", "beat", "--loglevel", "INFO")),
]  # fmt: skip


def ensure_events_exchange(env: dict[str, str]) -> None:
    """The platform vhost and `tenantry.events`, which relays publish to and consumers read."""
    from tenantry_kernel.provisioning.broker import BrokerAdmin, ensure_platform_exchange

    admin_url = env.get("TENANTRY_BROKER_ADMIN_URL", "http://guest:guest@127.0.0.1:15672")
    with BrokerAdmin.from_url(admin_url) as admin:
        ensure_platform_exchange(admin)


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def choose_port(component: Component) -> int:
    wanted = os.environ.get(component.port_variable)
    if wanted:
        if port_open(int(wanted)):
            raise SystemExit(f"up: {component.port_variable}={wanted} is taken; pick another or unset it")
        return int(wanted)
    return free_port()


def answers(url: str) -> int | None:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 (our own loopback URL)
            return int(response.status)
    except urllib.error.HTTPError as error:
        return error.code
    except OSError:
        return None


_OUTPUT = threading.Lock()


def stream_prefixed(title: str, process: subprocess.Popen[bytes]) -> threading.Thread:
    """Copy a child's output to ours line by line, each line prefixed with the service, in one stream."""
    prefix = f"{title:>20} | ".encode()

    def copy() -> None:
        assert process.stdout is not None  # start() opens it as a pipe
        for line in process.stdout:
            with _OUTPUT:
                sys.stdout.buffer.write(prefix + line)
                sys.stdout.buffer.flush()

    thread = threading.Thread(target=copy, name=f"log {title}", daemon=True)
    thread.start()
    return thread


def start(title: str, command: list[str], cwd: Path, env: dict[str, str]) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(
        command,
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # we forward Ctrl-C ourselves, once
    )
    stream_prefixed(title, process)
    return process


def main() -> int:
    env = {**os.environ, **load_env(), "PYTHONUNBUFFERED": "1"}
    python = sys.executable
    for component in COMPONENTS:
        print(f"up: migrating the {component.title}", flush=True)
        subprocess.run(
            [python, "manage.py", "migrate", "--noinput", "-v", "0"],
            cwd=ROOT / component.directory,
            env=component.environment(env),
            check=True,
        )

    print("up: ensuring the events exchange", flush=True)
    ensure_events_exchange(env)

    children: list[tuple[Component, int, subprocess.Popen[bytes]]] = []
    workers: list[tuple[Worker, subprocess.Popen[bytes]]] = []

    def stop(signum: int | None = None, frame: FrameType | None = None) -> None:
        processes = [child for _, _, child in children] + [process for _, process in workers]
        for child in processes:
            if child.poll() is None:
                os.killpg(child.pid, signal.SIGTERM)
        deadline = time.monotonic() + 10
        for child in processes:
            try:
                child.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                os.killpg(child.pid, signal.SIGKILL)
        if signum is not None:
            raise SystemExit(0)

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    try:
        for component in COMPONENTS:
            port = choose_port(component)
            child = start(
                component.service,
                [python, "-m", "tenantry_kernel.serve", f"{component.package}.asgi:application",
                 "--service", component.service, "--port", str(port)],
                ROOT / component.directory,
                component.environment(env),
            )  # fmt: skip
            children.append((component, port, child))
        for component, port, child in children:
            deadline = time.monotonic() + 60
            while answers(f"http://127.0.0.1:{port}/healthz") != 200:
                if child.poll() is not None or time.monotonic() > deadline:
                    print(f"up: the {component.title} did not start", file=sys.stderr)
                    stop()
                    return 1
                time.sleep(0.2)
        for worker in WORKERS:
            process = start(
                worker.title, [python, *worker.command], ROOT / worker.component.directory,
                worker.component.environment(env),
            )  # fmt: skip
            workers.append((worker, process))
        print("\nTenantry is running (Ctrl-C stops it):", flush=True)
        for component, port, _ in children:
            ready = answers(f"http://127.0.0.1:{port}/readyz")
            print(f"  {component.title:14} http://localhost:{port}/   readyz: {ready}", flush=True)
        print(f"  {'and':14} {', '.join(worker.title for worker in WORKERS)}", flush=True)
        print(flush=True)
        while True:
            running = [(component.title, child) for component, _, child in children]
            running += [(worker.title, process) for worker, process in workers]
            for title, child in running:
                if child.poll() is not None:
                    print(f"up: the {title} exited with {child.returncode}; stopping", file=sys.stderr)
                    stop()
                    return 1
            time.sleep(0.5)
    finally:
        stop()


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).parent))
    sys.exit(main())
