"""The whole local stack as `make up` runs it (dev/up.py), and a person's steps through it, for the end-to-end
test and the signup benchmark.

`running_stack()` starts dev/up.py on two scratch databases, free ports, a scratch RabbitMQ vhost for Celery
and events (so another `make up` on this machine never takes this run's tasks or events) and a loopback
SMTP server for the mail it sends; it stops it with Ctrl-C (SIGINT) and checks that no child is left.
"""

from __future__ import annotations

import html
import os
import re
import secrets
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

import psutil
import psycopg
import requests
from psycopg import sql

from tenantry_kernel.testing import free_port
from tenantry_kernel.testing.databases import drop_role, migrated_database, server_conninfo
from tenantry_kernel.testing.mail import MailSink, link_in, smtp_sink

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "correct horse battery staple 42"
BROKER_ADMIN = "http://127.0.0.1:15672/api"
BROKER_AUTH = ("guest", "guest")
STARTUP_SECONDS = 240  # both scratch databases are migrated first (1-2 minutes here)


@contextmanager
def scratch_vhost(name: str) -> Iterator[str]:
    """A RabbitMQ vhost for this run's Celery queues and events, guest allowed; deleted with its queues."""
    path = quote(name, safe="")
    requests.put(f"{BROKER_ADMIN}/vhosts/{path}", auth=BROKER_AUTH, timeout=10).raise_for_status()
    requests.put(
        f"{BROKER_ADMIN}/permissions/{path}/guest",
        json={"configure": ".*", "write": ".*", "read": ".*"},
        auth=BROKER_AUTH,
        timeout=10,
    ).raise_for_status()
    try:
        yield name
    finally:
        requests.delete(f"{BROKER_ADMIN}/vhosts/{path}", auth=BROKER_AUTH, timeout=10)


@dataclass
class Stack:
    """dev/up.py running: where its pieces answer, and its output so far."""

    process: subprocess.Popen[str]
    control_plane_port: int
    tenant_app_port: int
    control_plane_db: str
    shard_db: str
    mail: MailSink
    events_url: str  # the platform's events vhost of this run (AMQP URL, guest)
    member_queue: str  # the tenant app's member-events queue of this run
    portal_port: int  # the portal web app (next start)
    lines: list[str] = field(default_factory=list)

    @property
    def portal(self) -> str:
        """The control plane as the stack names it (its OIDC issuer is `<portal>/o`)."""
        return f"http://localhost:{self.control_plane_port}"

    @property
    def portal_web(self) -> str:
        """The portal web app, where the mailed links lead (the control plane's PORTAL_URL)."""
        return f"http://localhost:{self.portal_port}"

    @property
    def control_plane(self) -> str:
        return f"http://127.0.0.1:{self.control_plane_port}"

    @property
    def output(self) -> str:
        return "".join(self.lines)

    @property
    def stripe_url(self) -> str:
        match = re.search(r"Stripe\s+(http://127\.0\.0\.1:\d+) \(localstripe\)", self.output)
        assert match, self.output[-3000:]
        return match.group(1)

    @property
    def webhook_secret(self) -> str:
        """The signing secret up.py gave the control plane for Stripe's webhook (kept in `.local/secrets`)."""
        return "whsec_" + (ROOT / ".local" / "secrets" / "stripe-webhook-secret").read_text().strip()

    @property
    def shard_dsn(self) -> str:
        return server_conninfo(self.shard_db)

    @property
    def control_plane_dsn(self) -> str:
        return server_conninfo(self.control_plane_db)

    def portal_call(self, method: str, path: str, token: str = "", **kwargs: Any) -> requests.Response:
        headers = {"Host": f"localhost:{self.control_plane_port}", **kwargs.pop("headers", {})}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        return requests.request(method, f"{self.control_plane}{path}", headers=headers, timeout=30, **kwargs)

    def store(self, slug: str) -> Store:
        return Store(slug, self.tenant_app_port)


@dataclass(frozen=True)
class Store:
    slug: str
    port: int

    @property
    def host(self) -> str:
        return f"{self.slug}.localhost:{self.port}"

    @property
    def url(self) -> str:
        return f"http://{self.host}/"

    def call(self, method: str, url_or_path: str, token: str = "", **kwargs: Any) -> requests.Response:
        """`*.localhost` does not resolve for requests here: loopback, with the store's Host header."""
        parts = urlsplit(url_or_path)
        target = f"http://127.0.0.1:{self.port}{parts.path}" + (f"?{parts.query}" if parts.query else "")
        headers = {"Host": self.host, **kwargs.pop("headers", {})}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        return requests.request(method, target, headers=headers, timeout=30, allow_redirects=False, **kwargs)


def stack_environment(
    control_plane_port: int, tenant_app_port: int, databases: tuple[str, str], vhost: str, mail: MailSink, token: str
) -> dict[str, str]:
    """dev/up.py's environment for a run of its own."""
    broker = f"amqp://guest:guest@127.0.0.1:5672/{quote(vhost, safe='')}"
    env = {
        **os.environ,
        "CONTROL_PLANE_PORT": str(control_plane_port),
        "TENANT_APP_PORT": str(tenant_app_port),
        "PORTAL_PORT": str(free_port()),
        "CONTROL_PLANE_DB": databases[0],
        "TENANT_APP_DB": databases[1],
        # This run's own queues and exchange: another `make up` here never consumes them.
        "BROKER_URL": broker,
        "EVENTS_BROKER_URL": broker,
        "EVENTS_CONSUMER_GROUP": f"e2e-{token}",
        # The relays' broker users of this run (up.py makes them; running_stack removes them).
        "EVENTS_PLATFORM_PUBLISHERS": f"tenantry-e2e-{token}-platform",
        "EVENTS_RELAY_PUBLISHERS": f"tenantry-e2e-{token}-relay",
        "TENANT_MEMBER_EVENTS_QUEUE": f"tenant-app.e2e-{token}.members",
        # Per-address budgets count in the shared Redis across every run on this machine, all from 127.0.0.1:
        # raised so that repeated runs (and the benchmark's signups) are not refused; not what is tested here.
        "SIGNUP_RATE_PER_IP": "10000/hour",
        "API_RATE_ACCOUNT_EMAIL": "10000/hour",
        "API_RATE_SIGN_IN": "10000/min",
        "API_RATE_TWO_FACTOR": "10000/min",
        "API_RATE_SSO": "10000/min",
        "SEARCH_RATE_PER_IP": "10000/min",
        "SEARCH_AUTOCOMPLETE_RATE_PER_IP": "10000/min",
        # The mail both projects send (address verification) goes to this run's SMTP server.
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(mail.port),
    }
    for variable in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE", "PGDATABASE"):
        env.pop(variable, None)
    return env


@contextmanager
def running_stack(extra_env: dict[str, str] | None = None) -> Iterator[Stack]:
    """dev/up.py on scratch databases, ports, vhost and SMTP server; Ctrl-C at the end, and no child left."""
    token = secrets.token_hex(4)
    template_role = f"tenantry_template_e2e_{token}"
    try:
        with (
            migrated_database("control_plane") as control_plane_db,
            migrated_database("tenant_app") as shard_db,
            scratch_vhost(f"tenantry-e2e-{token}") as vhost,
            smtp_sink() as mail,
        ):
            env = stack_environment(free_port(), free_port(), (control_plane_db, shard_db), vhost, mail, token)
            yield from _run_up({**env, "TENANT_TEMPLATE_ROLE": template_role, **(extra_env or {})}, mail)
    finally:
        # Cluster-wide; what it owned went with the shard's database.
        drop_role(template_role)
        for user in (f"tenantry-e2e-{token}-platform", f"tenantry-e2e-{token}-relay"):
            requests.delete(f"{BROKER_ADMIN}/users/{user}", auth=BROKER_AUTH, timeout=10)
            (ROOT / ".local" / "secrets" / f"broker-{user}").unlink(missing_ok=True)


def _run_up(env: dict[str, str], mail: MailSink) -> Iterator[Stack]:
    up = subprocess.Popen(
        [sys.executable, "dev/up.py"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    stack = Stack(
        up,
        int(env["CONTROL_PLANE_PORT"]),
        int(env["TENANT_APP_PORT"]),
        env["CONTROL_PLANE_DB"],
        env["TENANT_APP_DB"],
        mail,
        env["EVENTS_BROKER_URL"],
        env["TENANT_MEMBER_EVENTS_QUEUE"],
        int(env["PORTAL_PORT"]),
    )
    reader = threading.Thread(target=lambda: stack.lines.extend(up.stdout or []), daemon=True)
    reader.start()
    children: list[psutil.Process] = []
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while "(localstripe)" not in stack.output:
            assert up.poll() is None, f"dev/up.py exited with {up.returncode}:\n{stack.output[-4000:]}"
            assert time.monotonic() < deadline, f"dev/up.py did not start in time:\n{stack.output[-4000:]}"
            time.sleep(0.2)
        yield stack
    finally:
        if up.poll() is None:
            children = psutil.Process(up.pid).children(recursive=True)
            up.send_signal(signal.SIGINT)
            try:
                up.wait(timeout=45)
            except subprocess.TimeoutExpired:
                for child in [*children, psutil.Process(up.pid)]:
                    if child.is_running():
                        child.kill()
                up.wait(timeout=10)
        reader.join(timeout=5)
        if log := os.environ.get("TENANTRY_E2E_LOG"):
            Path(log).write_text(stack.output)  # every service's output of the run, for a failure's story
    time.sleep(0.5)
    left = [child for child in children if child.is_running() and child.status() != psutil.STATUS_ZOMBIE]
    assert not left, f"dev/up.py left {left} running"
    assert up.returncode == 0, stack.output[-3000:]


def remove_leftovers(stack: Stack, slug: str) -> None:
    """What a store that a failed run did not delete leaves outside the scratch databases: its role and broker."""
    from tenantry_kernel.provisioning.broker import BrokerAdmin, delete_tenant_broker
    from tenantry_kernel.provisioning.database.schemas import drop_tenant_database

    with BrokerAdmin.from_url(f"http://{BROKER_AUTH[0]}:{BROKER_AUTH[1]}@127.0.0.1:15672") as admin:
        delete_tenant_broker(admin, slug)
    drop_tenant_database(stack.shard_dsn, slug)


# -- what a person does ------------------------------------------------------------------------------------


def sign_up(stack: Stack, slug: str, email: str) -> requests.Response:
    body = {"email": email, "password": PASSWORD, "full_name": "Olive Owner", "store_name": f"Shop {slug}"}
    body["slug"] = slug
    return stack.portal_call("POST", "/api/v1/signup/", json=body)


def verify_email(stack: Stack, email: str) -> requests.Response:
    """Follow the mailed confirmation link (its query, posted to the API, as the portal's page does)."""
    message = stack.mail.wait_for(email, timeout=60)[0]
    query = {key: values[0] for key, values in parse_qs(urlsplit(link_in(message)).query).items()}
    return stack.portal_call("POST", "/api/v1/auth/email/verify/", json=query)


def tenant_state(stack: Stack, watched: str, token: str) -> str:
    """The `state` of the store at `watched`, the portal API's address of it that signup answered in `Location`."""
    answer = stack.portal_call("GET", watched, token)
    return str(answer.json().get("state", "")) if answer.status_code == 200 else f"HTTP {answer.status_code}"


def role_in_store(stack: Stack, slug: str, email: str) -> str | None:
    """The role of the store's account with this address, read in the store's schema (None: no account yet)."""
    query = sql.SQL(
        "SELECT r.slug FROM {0}.accounts_user u LEFT JOIN {0}.access_role r ON r.id = u.role_id WHERE u.email = %s"
    )
    with psycopg.connect(stack.shard_dsn) as conn:
        row = conn.execute(query.format(sql.Identifier("t_" + slug.replace("-", "_"))), [email]).fetchone()
    return None if row is None else str(row[0])


def form_field(page: str, name: str) -> str:
    match = re.search(rf'name="{re.escape(name)}" value="([^"]*)"', page)
    assert match, f"no {name} field on the page:\n{page[:2000]}"
    return html.unescape(match.group(1))


def sign_in_through_the_platform(stack: Stack, store: Store, email: str) -> requests.Response:
    """A fresh browser from the store's "Sign in with Tenantry" to its callback, which answers with the store's
    tokens or a second-factor challenge. The issuer is named `localhost`, which resolves (only `*.localhost`
    does not)."""
    browser = requests.Session()
    started = store.call("POST", "/api/v1/auth/sso/platform/start/", json={})
    assert started.status_code == 200, started.text
    authorization_url = started.json()["authorization_url"]
    assert authorization_url.startswith(f"{stack.portal}/o/authorize/?"), authorization_url
    to_sign_in = browser.get(authorization_url, allow_redirects=False, timeout=30)
    assert to_sign_in.status_code == 302, to_sign_in.text[:2000]
    sign_in_url = f"{stack.portal}{to_sign_in.headers['Location']}"
    page = browser.get(sign_in_url, timeout=30)
    assert page.status_code == 200, page.text[:2000]
    signed_in = browser.post(
        sign_in_url,
        data={
            "csrfmiddlewaretoken": form_field(page.text, "csrfmiddlewaretoken"),
            "next": form_field(page.text, "next"),
            "username": email,
            "password": PASSWORD,
        },
        allow_redirects=False,
        timeout=30,
    )
    assert signed_in.status_code == 302, signed_in.text[:2000]
    back = browser.get(f"{stack.portal}{signed_in.headers['Location']}", allow_redirects=False, timeout=30)
    assert back.status_code == 302, back.text[:2000]
    callback = back.headers["Location"]
    assert callback.startswith(f"{store.url}api/v1/auth/sso/platform/callback/?"), callback
    return store.call("GET", callback)
