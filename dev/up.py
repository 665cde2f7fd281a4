"""Run the whole Tenantry platform locally: control plane, shared-tier tenant app, workers and stand-ins.

    make up              (or: python dev/up.py after `python dev/services.py`)
    make demo            (the same, plus a platform admin and a demo store with a small catalog)

The portal (web/portal) is built (`next build`, when its sources changed) and served by `next start`;
the links the control plane mails lead to it. Every web process listens on a free port (or
CONTROL_PLANE_PORT / TENANT_APP_PORT / PORTAL_PORT). Next to
them run each database's outbox relay, the event consumers (usage, search, members, storefront-cache), both
Celery workers, the tenant app's beat, and localstripe as the local Stripe. Tenants are
provisioned by the control plane's `local` provisioner and served by the one tenant-app
process at `http://<slug>.localhost:<port>/`; the control plane is their OpenID Connect
provider. Every process's output comes here, one stream, each line prefixed by its service.
Ctrl-C stops every child.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from types import FrameType

import portal as portal_web
from services import LOCAL, ROOT, load_env, port_open
from steps import step

from tenantry_kernel import local_services


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
CONTROL_PLANE, TENANT_APP = COMPONENTS


@dataclass(frozen=True)
class Worker:
    title: str
    component: Component | None  # None: not a Django process (run from the repository root)
    command: tuple[str, ...]  # after the Python interpreter, run in the component's folder
    publishes_as: str = ""  # a relay: "platform" or "relay", the broker user it publishes events as


def workers(stripe_port: int) -> list[Worker]:
    beat_schedule = str(LOCAL / "control-plane-beat-schedule")
    return [
        Worker("localstripe", None, ("-m", "tenantry_kernel.testing.stripe", str(stripe_port))),
        Worker("cp relay", CONTROL_PLANE, ("manage.py", "relay_events"), publishes_as="platform"),
        Worker("usage consumer", CONTROL_PLANE, ("manage.py", "consume_events", "usage")),
        Worker("search consumer", CONTROL_PLANE, ("manage.py", "consume_events", "search")),
        Worker("cp worker", CONTROL_PLANE, ("-m", "celery", "-A", "control_plane", "worker", "--pool", "threads",
                                            "--concurrency", "4", "-Q", "control-plane", "-n", "control-plane@%h",
                                            "--loglevel", "INFO")),
        Worker("cp beat", CONTROL_PLANE, ("-m", "celery", "-A", "control_plane", "beat", "--schedule", beat_schedule,
                                          "--loglevel", "INFO")),
        Worker("tenant relay", TENANT_APP, ("manage.py", "relay_events"), publishes_as="relay"),
        Worker("member consumer", TENANT_APP, ("manage.py", "consume_events", "members")),
        Worker("storefront cache consumer", TENANT_APP, ("manage.py", "consume_events", "storefront-cache")),
        Worker("tenant worker", TENANT_APP, ("-m", "celery", "-A", "tenant_app", "worker", "--pool", "threads",
                                             "--concurrency", "4", "-n", "tenant-app@%h", "--loglevel", "INFO")),
        Worker("tenant beat", TENANT_APP, ("-m", "celery", "-A", "tenant_app", "beat", "--loglevel", "INFO")),
    ]  # fmt: skip


def event_publishers(env: dict[str, str]) -> dict[str, tuple[str, str]]:
    """The relays' broker users, "platform" and "relay" → (name, password): the first names consumers
    believe (EVENTS_PLATFORM_PUBLISHERS, EVENTS_RELAY_PUBLISHERS), passwords kept in `.local/secrets`."""
    names = {
        "platform": (env.get("EVENTS_PLATFORM_PUBLISHERS") or "tenantry-platform").split(",")[0].strip(),
        "relay": (env.get("EVENTS_RELAY_PUBLISHERS") or "tenantry-relay").split(",")[0].strip(),
    }
    return {kind: (name, local_secret(f"broker-{name}")) for kind, name in names.items()}


def ensure_events_exchange(env: dict[str, str]) -> dict[str, str]:
    """The platform vhost, `tenantry.events` and the relays' broker users; each relay's publish URL by kind."""
    from tenantry_kernel.events.registry import PLATFORM_PRODUCER, TENANT_PRODUCER
    from tenantry_kernel.provisioning.broker import BrokerAdmin, ensure_event_publisher, events_vhost

    events_url = env.get("EVENTS_BROKER_URL") or "amqp://guest:guest@127.0.0.1:5672/tenantry"
    vhost = events_vhost(events_url)
    producers = {"platform": PLATFORM_PRODUCER, "relay": TENANT_PRODUCER}
    urls = {}
    with BrokerAdmin.from_url(env["TENANTRY_BROKER_ADMIN_URL"]) as admin:
        for kind, (name, password) in event_publishers(env).items():
            ensure_event_publisher(admin, name, password, producers[kind], vhost)
            urls[kind] = with_credentials(events_url, name, password)
    return urls


def with_credentials(url: str, user: str, password: str) -> str:
    parts = urllib.parse.urlsplit(url)
    netloc = f"{urllib.parse.quote(user, safe='')}:{urllib.parse.quote(password, safe='')}@{parts.hostname}"
    return urllib.parse.urlunsplit(parts._replace(netloc=f"{netloc}:{parts.port or 5672}"))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def choose_port(variable: str) -> int:
    wanted = os.environ.get(variable)
    if wanted:
        if port_open(int(wanted)):
            raise SystemExit(f"up: {variable}={wanted} is taken; pick another or unset it")
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


def local_secret(name: str) -> str:
    """A random secret kept in `.local/` across runs (made at first use, never committed)."""
    path = LOCAL / "secrets" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


def platform_environment(
    env: dict[str, str], portal: str, portal_web_url: str, tenant_port: int, stripe_url: str
) -> dict[str, str]:
    """What ties the pieces together: tenant URLs, single sign-on, Stripe, the member queue, the portal's links.
    `portal` is the control plane (the OIDC issuer's origin), `portal_web_url` the portal's web app."""
    sso_key = local_secret("sso-client-key")
    return {
        **env,
        "PYTHONUNBUFFERED": "1",
        "TENANTRY_BROKER_ADMIN_URL": env.get("TENANTRY_BROKER_ADMIN_URL", "http://guest:guest@127.0.0.1:15672"),
        # Control plane: tenants are provisioned here, on the tenant app's database, served on its port.
        "TENANT_PROVISIONER": "local",
        "TENANT_URL_TEMPLATE": f"http://{{host}}:{tenant_port}/",
        "PORTAL_URL": portal_web_url,
        "PORTAL_INVITATION_URL": f"{portal_web_url}/accept-invitation?token={{token}}",
        "OIDC_ISSUER": f"{portal}/o",
        "PLATFORM_SSO_CLIENT_KEY": sso_key,
        "STRIPE_API_HOST": stripe_url,
        "STRIPE_SECRET_KEY": "sk_test_" + "local" * 5,
        "STRIPE_PUBLIC_KEY": "pk_test_" + "local" * 5,
        "STRIPE_WEBHOOK_SECRET": "whsec_" + local_secret("stripe-webhook-secret"),
        # Tenant app: every store signs people in through the platform, with its own derived client.
        "SSO_PROVIDERS": json.dumps({"platform": {"issuer": f"{portal}/o", "client_secret_key": sso_key}}),
    }


_OUTPUT = threading.Lock()


def stream_prefixed(title: str, process: subprocess.Popen[bytes]) -> threading.Thread:
    """Copy a child's output to ours line by line, each line prefixed with the service, in one stream."""
    prefix = f"{title:>16} | ".encode()

    def copy() -> None:
        assert process.stdout is not None  # start() opens it as a pipe
        for line in process.stdout:
            with _OUTPUT:
                sys.stdout.buffer.write(prefix + line)
                sys.stdout.buffer.flush()

    thread = threading.Thread(target=copy, name=f"log {title}", daemon=True)
    thread.start()
    return thread


def say(message: str) -> None:
    with _OUTPUT:
        print(message, flush=True)


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


def wait_for(url: str, process: subprocess.Popen[bytes], seconds: float = 90, *, status: int | None = 200) -> bool:
    """Until `url` answers with `status` (any status for None); False if the process died or time ran out."""
    deadline = time.monotonic() + seconds
    while (answer := answers(url)) is None or (status is not None and answer != status):
        if process.poll() is not None or time.monotonic() > deadline:
            return False
        time.sleep(0.2)
    return True


def manage(component: Component, env: dict[str, str], *arguments: str) -> None:
    subprocess.run(
        [sys.executable, "manage.py", *arguments], cwd=ROOT / component.directory, env=component.environment(env),
        check=True,
    )  # fmt: skip


def connect_stripe(env: dict[str, str], stripe_url: str, portal_port: int) -> None:
    """localstripe delivers its webhooks to the control plane; dj-stripe learns the account it cannot ask for."""
    from tenantry_kernel.testing.stripe import register_webhook

    webhook = f"http://127.0.0.1:{portal_port}/api/v1/billing/stripe/webhook"
    register_webhook(stripe_url, "we_local", webhook, env["STRIPE_WEBHOOK_SECRET"])
    manage(CONTROL_PLANE, env, "shell", "-c",
           "from tenantry_kernel.testing.stripe import seed_djstripe_account; "
           f"seed_djstripe_account({env['STRIPE_SECRET_KEY']!r})")  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description="Run the Tenantry platform locally.")
    parser.add_argument("--demo", action="store_true", help="seed a platform admin and a demo store")
    args = parser.parse_args()
    local_services.load()

    ports = {component: choose_port(component.port_variable) for component in COMPONENTS}
    portal_port = choose_port("PORTAL_PORT")
    stripe_port = free_port()
    portal = f"http://localhost:{ports[CONTROL_PLANE]}"
    portal_web_url = f"http://localhost:{portal_port}"
    stripe_url = f"http://127.0.0.1:{stripe_port}"
    env = platform_environment({**os.environ, **load_env()}, portal, portal_web_url, ports[TENANT_APP], stripe_url)
    node_env = portal_web.node_environment(env, f"http://127.0.0.1:{ports[CONTROL_PLANE]}")
    portal_web.build(node_env)

    say(f"up: PostgreSQL: {local_services.postgres_server()}")
    for component in COMPONENTS:
        with step("up", f"migrating the {component.title} (minutes the first time)"):
            manage(component, env, "migrate", "--noinput", "-v", "0")
    with step("up", "ensuring the events exchange and the relays' broker users"):
        publish_urls = ensure_events_exchange(env)

    children: list[tuple[str, subprocess.Popen[bytes]]] = []

    def stop(signum: int | None = None, frame: FrameType | None = None) -> None:
        for _, child in children:
            if child.poll() is None:
                os.killpg(child.pid, signal.SIGTERM)
        deadline = time.monotonic() + 10
        for _, child in children:
            try:
                child.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                os.killpg(child.pid, signal.SIGKILL)
        if signum is not None:
            raise SystemExit(0)

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    try:
        for component, port in ports.items():
            command = [sys.executable, "-m", "tenantry_kernel.serve", f"{component.package}.asgi:application",
                       "--service", component.service, "--port", str(port)]  # fmt: skip
            child = start(component.service, command, ROOT / component.directory, component.environment(env))
            children.append((component.title, child))
        for (title, child), port in zip(children, ports.values(), strict=True):
            if not wait_for(f"http://127.0.0.1:{port}/healthz", child):
                say(f"up: the {title} did not start")
                return 1
        web = start("portal", portal_web.start_command(portal_port), portal_web.PORTAL, node_env)
        children.append(("portal", web))
        if not wait_for(f"http://127.0.0.1:{portal_port}/sign-in", web, seconds=60):
            say("up: the portal did not start")
            return 1
        for worker in workers(stripe_port):
            directory = ROOT / worker.component.directory if worker.component else ROOT
            worker_env = worker.component.environment(env) if worker.component else env
            if worker.publishes_as:
                worker_env = {**worker_env, "EVENTS_PUBLISH_URL": publish_urls[worker.publishes_as]}
            children.append(
                (worker.title, start(worker.title, [sys.executable, *worker.command], directory, worker_env))
            )
        stripe = next(child for title, child in children if title == "localstripe")
        if not wait_for(f"{stripe_url}/v1/customers", stripe, seconds=30, status=None):
            say("up: localstripe did not start")
            return 1
        connect_stripe(env, stripe_url, ports[CONTROL_PLANE])
        if args.demo:
            from demo import seed_demo

            say("up: seeding the demo (a platform admin and the store `demo`)")
            say(seed_demo(portal, ports[TENANT_APP], env))

        tenant_port = ports[TENANT_APP]
        say("\nTenantry is running (Ctrl-C stops it):")
        say(f"  portal          {portal_web_url}/   (sign in: {portal_web_url}/sign-in)")
        say(f"  portal API      {portal}/api/v1/   (signup: POST {portal}/api/v1/signup/; API docs: /api/docs/)")
        say(f"  admin           {portal}/admin/   readyz: {answers(f'http://127.0.0.1:{ports[CONTROL_PLANE]}/readyz')}")
        say(f"  OIDC issuer     {portal}/o/.well-known/openid-configuration")
        say(f"  global search   {portal}/api/v1/search/?q=…")
        say(
            f"  tenant app      http://localhost:{tenant_port}/   readyz: {answers(f'http://127.0.0.1:{tenant_port}/readyz')}"
        )
        say(f"  each store      http://<slug>.localhost:{tenant_port}/   (API docs: /api/docs/)")
        say(f"  Stripe          {stripe_url} (localstripe)")
        say(f"  PostgreSQL      {local_services.postgres_server()}")
        say(f"  and             {', '.join(worker.title for worker in workers(stripe_port)[1:])}\n")
        while True:
            for title, child in children:
                if child.poll() is not None:
                    say(f"up: the {title} exited with {child.returncode}; stopping")
                    return 1
            time.sleep(0.5)
    finally:
        stop()


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).parent))
    sys.exit(main())
