"""Attack: read the one-time links of account mails out of the logs (or the broker) and use them.

Every one-time mail of both projects is sent as a person would cause it, through the projects served as
processes, their real Celery workers (subprocesses on private queues of the real RabbitMQ) and a real SMTP
server on loopback. Every process logs with its project's settings and every logger at DEBUG. The attacker
holds all of it: each process's whole output, and each task message as it sat on the broker. Each mail's
link must work for its recipient, and its token must appear nowhere the attacker looks.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import threading
from collections.abc import Iterator, Mapping
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from amqp.exceptions import NotFound
from kombu import Connection

from tenantry_kernel.provisioning import routing
from tenantry_kernel.provisioning.database.migrations import ManagePyMigrationRunner, migrate_tenant_schema
from tenantry_kernel.provisioning.database.schemas import drop_tenant_database, ensure_tenant_database
from tenantry_kernel.provisioning.database.template_clone import TemplateCloneRunner
from tenantry_kernel.provisioning.plans import plan_for
from tenantry_kernel.testing import ServedApp, serve_app, stop_process, wait_until
from tenantry_kernel.testing.databases import drop_database, drop_role, migrated_database, server_conninfo, server_env
from tenantry_kernel.testing.mail import MailSink, link_in, smtp_sink
from tests.e2e_support import Store

ROOT = Path(__file__).resolve().parents[2]
PLATFORM, TENANT_APP = ROOT / "platform", ROOT / "tenant-app"
BROKER_URL = os.environ.get("BROKER_URL", "amqp://guest:guest@127.0.0.1:5672//")
PASSWORD = "correct horse battery staple 42"
NEW_PASSWORD = "another quite long passphrase 7"

# The project's test settings with every logger at DEBUG: whatever any library says goes to the output.
EVERY_LOGGER_AT_DEBUG = """\
from {base} import *  # noqa: F403

LOGGING = {{
    **LOGGING,
    "root": {{**LOGGING["root"], "level": "DEBUG"}},
    "loggers": {{name: {{**logger, "level": "DEBUG"}} for name, logger in LOGGING["loggers"].items()}},
}}
"""


@dataclass
class Worker:
    """A project's Celery worker process; its output, line by line."""

    name: str
    process: subprocess.Popen[str]
    lines: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Project:
    name: str
    directory: Path
    settings: str  # every logger at DEBUG
    env: dict[str, str]
    queue: str


@dataclass
class Attack:
    """Both projects served, their queues, and what every process and the broker showed."""

    control_plane: ServedApp
    tenant_app: ServedApp
    store: Store
    platform: Project
    shard: Project
    mail: MailSink
    workers: list[Worker] = field(default_factory=list)

    def outputs(self) -> dict[str, str]:
        """Every line each process wrote (logs, banners, anything on stdout or stderr)."""
        return {
            "control-plane web": "\n".join(self.control_plane.lines),
            "tenant-app web": "\n".join(self.tenant_app.lines),
            **{worker.name: "\n".join(worker.lines) for worker in self.workers},
        }


def manage(project: Project, script: str, settings: str) -> str:
    """Run `script` in the project's Django shell, as an operator would."""
    completed = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", script],
        cwd=project.directory,
        env={**os.environ, **project.env, "DJANGO_SETTINGS_MODULE": settings},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert completed.returncode == 0, completed.stdout[-2000:] + completed.stderr[-4000:]
    return completed.stdout


@contextmanager
def celery_worker(project: Project) -> Iterator[Worker]:
    """`celery -A <project> worker` on the project's private queue, stopped (warm shutdown) at the end."""
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", project.name, "worker", "--pool", "threads", "--concurrency", "2",
         "--queues", project.queue, "--hostname", f"{project.queue}@%h",
         "--without-gossip", "--without-mingle", "--without-heartbeat"],
        cwd=project.directory,
        env={**os.environ, **project.env, "DJANGO_SETTINGS_MODULE": project.settings, "PYTHONUNBUFFERED": "1"},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )  # fmt: skip
    worker = Worker(f"{project.name} worker", process)

    def collect() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            worker.lines.append(line.rstrip("\n"))

    reader = threading.Thread(target=collect, daemon=True)
    reader.start()
    try:
        wait_until(
            lambda: process.poll() is not None or any(" ready." in line for line in worker.lines),
            timeout=120,
            what=f"the {project.name} worker starting",
        )
        assert process.poll() is None, "\n".join(worker.lines[-50:])
        yield worker
    finally:
        stop_process(process, timeout=60)
        reader.join(timeout=10)


def amqp_channel(connection: Connection) -> Any:
    """The connection's channel as py-amqp's (kombu's stubs know only the transport-neutral one)."""
    return connection.default_channel


def waiting_messages(queue: str, at_least: int) -> list[str]:
    """The task messages waiting on `queue` (at least `at_least`), as the broker holds them; left there."""

    def ready() -> int:
        with Connection(BROKER_URL) as connection:
            try:
                return int(amqp_channel(connection).queue_declare(queue, passive=True).message_count)
            except NotFound:  # nothing published yet
                return 0

    wait_until(lambda: ready() >= at_least, what=f"{at_least} messages on {queue}")
    taken = []
    with Connection(BROKER_URL) as connection:
        channel = amqp_channel(connection)
        while (message := channel.basic_get(queue, no_ack=False)) is not None:
            taken.append(f"{message.body!r} {message.properties!r}")
        # Closing the channel without acknowledging them puts them back on the queue, for the worker.
    return taken


def delete_queue(queue: str) -> None:
    with Connection(BROKER_URL) as connection:
        amqp_channel(connection).queue_delete(queue)


def project(name: str, directory: Path, settings_dir: Path, base_settings: str, env: Mapping[str, str]) -> Project:
    module = f"secrets_in_logs_{name}"
    (settings_dir / f"{module}.py").write_text(EVERY_LOGGER_AT_DEBUG.format(base=base_settings))
    queue = f"secrets-in-logs-{name}-{secrets.token_hex(4)}"
    python_path = os.pathsep.join(filter(None, [str(settings_dir), os.environ.get("PYTHONPATH", "")]))
    return Project(name, directory, module, {**env, "PYTHONPATH": python_path, "CELERY_DEFAULT_QUEUE": queue}, queue)


@pytest.fixture
def attack(tmp_path: Path) -> Iterator[Attack]:
    """Both projects on scratch databases, served (no worker yet), mailing to an SMTP server on loopback."""
    slug = f"shop-{secrets.token_hex(3)}"
    with ExitStack() as stack:
        platform_db = stack.enter_context(migrated_database("control_plane"))
        shard_db = stack.enter_context(migrated_database("tenant_app"))
        mail = stack.enter_context(smtp_sink())
        logging_env = {
            "LOG_LEVEL": "DEBUG",
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(mail.port),
        }
        platform_env, shard_env = {**server_env(platform_db), **logging_env}, {**server_env(shard_db), **logging_env}
        platform = project("control_plane", PLATFORM, tmp_path, "control_plane.settings.test", platform_env)
        shard = project("tenant_app", TENANT_APP, tmp_path, "tenant_app.settings.test", shard_env)
        for queue in (platform.queue, shard.queue):
            stack.callback(delete_queue, queue)

        # The store, provisioned on the shard and routed as the operator does.
        admin_dsn = server_conninfo(shard_db)
        template_role = f"tenantry_template_{shard_db}"
        stack.callback(drop_role, template_role)  # cluster-wide; what it owned goes with the shard's database
        stack.callback(drop_database, shard_db)
        migrations = TemplateCloneRunner(
            admin_dsn,
            ManagePyMigrationRunner(TENANT_APP / "manage.py", "tenant_app.settings.test"),
            template_role=template_role,
        )
        tenant_db = ensure_tenant_database(admin_dsn, slug, plan_for("free"), secrets.token_urlsafe(16))
        stack.callback(drop_tenant_database, admin_dsn, slug)
        migrate_tenant_schema(tenant_db, migrations)
        routing.ensure_routes(admin_dsn, slug, [f"{slug}.localhost"], suspended=False)
        stack.callback(routing.delete_routes, admin_dsn, slug)

        control_plane = stack.enter_context(
            serve_app("control_plane.asgi:application", "control-plane", platform.settings, str(PLATFORM), platform.env)
        )
        tenant_app = stack.enter_context(
            serve_app("tenant_app.asgi:application", "tenant-app", shard.settings, str(TENANT_APP), shard.env)
        )
        store = Store(slug, int(tenant_app.base_url.rsplit(":", 1)[1]))
        yield Attack(control_plane, tenant_app, store, platform, shard, mail)


def query_of(message: EmailMessage) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(urlsplit(link_in(message)).query).items()}


def token_of(message: EmailMessage) -> str:
    """The one-time part of the mail's link: its `token` parameter, or the last path segment (invitations)."""
    link = urlsplit(link_in(message))
    return query_of(message).get("token") or link.path.rsplit("/", 1)[1]


def test_no_one_time_link_of_any_mail_can_be_read_from_logs_or_the_broker(attack: Attack) -> None:
    platform, shard, store = attack.platform, attack.shard, attack.store
    cp = attack.control_plane.base_url

    # Given a portal owner with a store, a portal account not yet verified, and the store's owner,
    manage(
        platform,
        "from django.utils import timezone\n"
        "from control_plane.accounts.models import User\n"
        "from control_plane.tenants.models import Membership, Tenant\n"
        f"owner = User.objects.create_user('olive@example.test', {PASSWORD!r}, email_verified_at=timezone.now())\n"
        f"User.objects.create_user('pat@example.test', {PASSWORD!r})\n"
        f"tenant = Tenant.objects.create(slug={store.slug!r}, name='Corner Bakery', url={store.url!r}, state='ready')\n"
        "Membership.objects.create(tenant=tenant, user=owner, role='owner')\n",
        "control_plane.settings.test",
    )
    manage(
        shard,
        "from django.utils import timezone\n"
        "from tenant_app.access.models import Role\n"
        "from tenant_app.accounts.models import User\n"
        "from tenant_app.tenancy.context import as_tenant\n"
        f"with as_tenant({store.slug!r}):\n"
        "    owner, _ = Role.objects.update_or_create(slug='owner', defaults={'name': 'Owner',"
        " 'permissions': ['users.view', 'users.create'], 'requires_two_factor': False})\n"
        f"    User.objects.create_user('owner@example.test', {PASSWORD!r}, role=owner,"
        " email_verified_at=timezone.now())\n",
        "tenant_app.settings.test",
    )

    # when every one-time mail is asked for as people ask for them (no worker runs yet: the messages wait),
    portal_owner = requests.post(
        f"{cp}/api/v1/auth/sign-in/", json={"email": "olive@example.test", "password": PASSWORD}, timeout=30
    )
    assert portal_owner.status_code == 200, portal_owner.text
    asked = [
        requests.post(f"{cp}/api/v1/auth/email/verification/", json={"email": "pat@example.test"}, timeout=30),
        requests.post(
            f"{cp}/api/v1/tenants/{store.slug}/invitations/",
            json={"email": "ivy@example.test", "role": "admin"},
            headers={"Authorization": f"Bearer {portal_owner.json()['access']}"},
            timeout=30,
        ),
        store.call("POST", "/api/v1/auth/register/", json={"email": "ann@example.test", "password": PASSWORD}),
        store.call("POST", "/api/v1/auth/password/reset/", json={"email": "ann@example.test"}),
    ]
    owner = {"email": "owner@example.test", "password": PASSWORD}
    store_owner = store.call("POST", "/api/v1/auth/sign-in/", json=owner)
    assert store_owner.status_code == 200, store_owner.text
    for invitee in ("sam@example.test", "rita@example.test"):
        asked.append(store.call("POST", "/api/v1/users/", store_owner.json()["access"], json={"email": invitee}))
    assert [answer.status_code for answer in asked] == [202, 201, 201, 202, 201, 201], [a.text for a in asked]
    # Rita was invited three days ago: the scheduled reminder is due, sent as Beat sends it (the tenant in a header).
    manage(
        shard,
        "import datetime as dt\n"
        "from django.utils import timezone\n"
        "from tenant_app.audit.models import AuditEvent, AuditEventType\n"
        "from tenant_app.schedules.tasks import remind_pending_invitations\n"
        "from tenant_app.tenancy.context import as_tenant\n"
        "from tenantry_kernel.celery import TENANT_HEADER\n"
        f"with as_tenant({store.slug!r}):\n"
        "    AuditEvent.objects.filter(type=AuditEventType.USER_INVITED, subject='rita@example.test')"
        ".update(occurred_at=timezone.now() - dt.timedelta(days=3))\n"
        f"remind_pending_invitations.apply_async(headers={{TENANT_HEADER: {store.slug!r}}})\n",
        "tenant_app.settings.test",
    )
    on_the_broker = waiting_messages(platform.queue, 2) + waiting_messages(shard.queue, 5)

    # and the projects' workers send them,
    with celery_worker(platform) as platform_worker, celery_worker(shard) as shard_worker:
        attack.workers += [platform_worker, shard_worker]
        (pat,) = attack.mail.wait_for("pat@example.test", timeout=60)
        (ivy,) = attack.mail.wait_for("ivy@example.test", timeout=60)
        ann_verification, ann_reset = sorted(
            attack.mail.wait_for("ann@example.test", timeout=60, count=2), key=lambda m: str(m["Subject"])
        )
        (sam,) = attack.mail.wait_for("sam@example.test", timeout=60)
        rita_invitation, rita_reminder = sorted(
            attack.mail.wait_for("rita@example.test", timeout=90, count=2), key=lambda m: str(m["Subject"])
        )

    # then each mail's link works for the person it was sent to,
    assert (ann_verification["Subject"], ann_reset["Subject"]) == ("Confirm your email address", "Reset your password")
    assert (rita_invitation["Subject"], rita_reminder["Subject"]) == ("You are invited", "Your invitation is waiting")
    followed = {
        "portal verification": requests.post(f"{cp}/api/v1/auth/email/verify/", json=query_of(pat), timeout=30),
        "portal invitation": requests.post(
            f"{cp}/api/v1/invitations/accept/",
            json={"token": token_of(ivy), "password": NEW_PASSWORD, "full_name": "Ivy"},
            timeout=30,
        ),
        "store verification": store.call("POST", "/api/v1/auth/email/verify/", json=query_of(ann_verification)),
        "store password reset": store.call(
            "POST", "/api/v1/auth/password/reset/confirm/", json={**query_of(ann_reset), "password": NEW_PASSWORD}
        ),
        "store invitation": store.call(
            "POST", "/api/v1/auth/password/reset/confirm/", json={**query_of(sam), "password": NEW_PASSWORD}
        ),
        "store invitation reminder": store.call(
            "POST", "/api/v1/auth/password/reset/confirm/", json={**query_of(rita_reminder), "password": NEW_PASSWORD}
        ),
    }
    assert {name: answer.status_code for name, answer in followed.items()} == {
        "portal verification": 200,
        "portal invitation": 201,
        "store verification": 200,
        "store password reset": 204,
        "store invitation": 204,
        "store invitation reminder": 204,
    }, {name: answer.text for name, answer in followed.items()}

    # and no token is anywhere in what the processes wrote, which did log the work,
    tokens = {
        "portal verification": token_of(pat),
        "portal invitation": token_of(ivy),
        "store verification": token_of(ann_verification),
        "store password reset": token_of(ann_reset),
        "store invitation": token_of(sam),
        "store invitation (Rita)": token_of(rita_invitation),
        "store invitation reminder": token_of(rita_reminder),
    }
    outputs = attack.outputs()
    for worker in ("control_plane worker", "tenant_app worker"):
        assert "] received" in outputs[worker], outputs[worker][-3000:]
        assert "] succeeded in " in outputs[worker], outputs[worker][-3000:]
    assert "POST /api/v1/auth/password/reset/confirm/ 204" in outputs["tenant-app web"]
    leaked = {(mail, process) for mail, token in tokens.items() for process, text in outputs.items() if token in text}
    assert not leaked, leaked
    # nor on the broker: the task messages carried no link to leak.
    assert not {mail for mail, token in tokens.items() if any(token in message for message in on_the_broker)}
