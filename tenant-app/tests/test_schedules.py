"""Per-tenant Celery Beat schedules: registered per tenant, fired by a real beat, run in the tenant's schema."""

from __future__ import annotations

import datetime as dt
import json
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from tenant_app import celery_app
from tenant_app.access.models import Role
from tenant_app.accounts.models import User
from tenant_app.audit.actions import record_security_event
from tenant_app.audit.models import AuditEvent, AuditEventType
from tenant_app.schedules.actions import (
    TenantSchedule,
    ensure_tenant_schedules,
    record_daily_report,
    remind_pending_invitations,
    remove_tenant_schedules,
)
from tenant_app.schedules.models import DailyReport, InvitationReminder
from tenant_app.tenancy.context import as_tenant, tenant_transaction
from tenant_app.tenancy.routes import routes
from tenantry_kernel.context import bound_tenant
from tenantry_kernel.provisioning import routing
from tenantry_kernel.testing import delete_queue
from tenantry_kernel.testing.mail import MailSink, link_in

from .celery_probes import celery_process, wait_until, worker_args
from .conftest import ShardTenant

PASSWORD = "a long enough passphrase"
REPORT_TASK = "tenantry.schedules.nightly_activity_report"


def names_and_headers(prefix: str) -> dict[str, Any]:
    return {
        entry.name: (entry.task, json.loads(entry.headers), json.loads(entry.kwargs), entry.enabled)
        for entry in PeriodicTask.objects.filter(name__startswith=prefix)
    }


def seed_yesterday(tenant: ShardTenant) -> dt.date:
    """Activity of yesterday (UTC) in the tenant's schema: 3 sign-ins by 2 people, 1 failure, 1 new member."""
    now = timezone.now()
    yesterday_noon = (now - dt.timedelta(days=1)).replace(hour=12, minute=0)
    with tenant_transaction(tenant.route):
        ann = User.objects.create_user("ann@example.test", PASSWORD, date_joined=yesterday_noon)
        bob = User.objects.create_user("bob@example.test", PASSWORD, date_joined=now - dt.timedelta(days=5))
        yesterdays = [
            record_security_event(None, AuditEventType.SIGN_IN, actor=ann),
            record_security_event(None, AuditEventType.SIGN_IN, actor=ann),
            record_security_event(None, AuditEventType.SIGN_IN, actor=bob),
            record_security_event(None, AuditEventType.SIGN_IN_FAILED, subject="ann@example.test"),
        ]
        record_security_event(None, AuditEventType.SIGN_IN, actor=bob)  # today: not in yesterday's report
        # Backdating is the test's own seeding; the model itself refuses changes.
        AuditEvent.objects.filter(pk__in=[event.pk for event in yesterdays]).update(occurred_at=yesterday_noon)
    return yesterday_noon.date()


def figures(report: DailyReport) -> tuple[int, int, int, int]:
    return report.sign_ins, report.people_signed_in, report.failed_sign_ins, report.new_members


def test_each_tenant_gets_its_entries_once_carrying_the_tenant(shard: tuple[str, list[ShardTenant]]) -> None:
    _, (alpha, bravo) = shard

    first = ensure_tenant_schedules(alpha.slug)
    again = ensure_tenant_schedules(alpha.slug)
    ensure_tenant_schedules(bravo.slug)

    assert [entry.pk for entry in again] == [entry.pk for entry in first]
    assert [entry.date_changed for entry in again] == [entry.date_changed for entry in first]  # nothing rewritten
    assert names_and_headers(f"{alpha.slug}:") == {
        f"{alpha.slug}:nightly-report": (REPORT_TASK, {"tenantry_tenant": alpha.slug}, {"tz": "UTC"}, True),
        f"{alpha.slug}:invitation-reminders": (
            "tenantry.schedules.remind_pending_invitations",
            {"tenantry_tenant": alpha.slug},
            {"tz": "UTC"},
            True,
        ),
        f"{alpha.slug}:usage-report": (
            "tenantry.metering.report_usage",
            {"tenantry_tenant": alpha.slug},
            {"tz": "UTC"},
            True,
        ),
        f"{alpha.slug}:prune-inbox": (
            "tenantry.schedules.prune_inbox",
            {"tenantry_tenant": alpha.slug},
            {"tz": "UTC"},
            True,
        ),
        f"{alpha.slug}:release-reservations": (
            "tenantry.checkout.release_expired_reservations",
            {"tenantry_tenant": alpha.slug},
            {"tz": "UTC"},
            True,
        ),
    }
    report = PeriodicTask.objects.get(name=f"{alpha.slug}:nightly-report")
    assert report.crontab is not None
    assert (report.crontab.minute, report.crontab.hour, str(report.crontab.timezone)) == ("15", "0", "UTC")

    # A narrower set replaces the tenant's entries; removing them leaves the other tenant's alone.
    every_minute = TenantSchedule("nightly-report", REPORT_TASK, "test", every=dt.timedelta(minutes=1))
    ensure_tenant_schedules(alpha.slug, schedules=[every_minute])
    assert list(names_and_headers(f"{alpha.slug}:")) == [f"{alpha.slug}:nightly-report"]
    assert PeriodicTask.objects.get(name=f"{alpha.slug}:nightly-report").interval.every == 60  # type: ignore[union-attr]
    assert remove_tenant_schedules(alpha.slug) == 1
    assert remove_tenant_schedules(alpha.slug) == 0
    assert len(names_and_headers(f"{bravo.slug}:")) == 5


def test_schedules_are_refused_inside_a_tenant_transaction(shard: tuple[str, list[ShardTenant]]) -> None:
    _, (alpha, _) = shard

    # Shared tier: Beat reads `public`; as the tenant the rows would land in its own schema.
    with pytest.raises(RuntimeError, match="service connection"), bound_tenant(alpha.slug):
        ensure_tenant_schedules(alpha.slug)
    with pytest.raises(ValueError, match="must be a DNS label"):
        ensure_tenant_schedules("Not A Slug")
    assert not PeriodicTask.objects.filter(name__startswith=f"{alpha.slug}:").exists()


def test_the_command_ensures_routed_tenants_pauses_suspended_ones_and_drops_departed_ones(
    shard: tuple[str, list[ShardTenant]], capsys: pytest.CaptureFixture[str]
) -> None:
    admin_dsn, (alpha, bravo) = shard
    ensure_tenant_schedules("gone-tenant")
    routing.ensure_routes(admin_dsn, bravo.slug, [bravo.host], suspended=True)
    routes.forget()

    call_command("ensure_tenant_schedules", "--all")

    assert {name: enabled for name, (*_, enabled) in names_and_headers(f"{alpha.slug}:").items()} == {
        f"{alpha.slug}:nightly-report": True,
        f"{alpha.slug}:invitation-reminders": True,
        f"{alpha.slug}:usage-report": True,
        f"{alpha.slug}:prune-inbox": True,
        f"{alpha.slug}:release-reservations": True,
    }
    assert {enabled for *_, enabled in names_and_headers(f"{bravo.slug}:").values()} == {False}
    assert names_and_headers("gone-tenant:") == {}
    assert "removed: 5" in capsys.readouterr().out

    call_command("ensure_tenant_schedules", "--tenant", alpha.slug)
    with pytest.raises(CommandError, match="not routed on this shard: nobody-here"):
        call_command("ensure_tenant_schedules", "--tenant", "nobody-here")
    with pytest.raises(CommandError, match="--all"):
        call_command("ensure_tenant_schedules")


def test_the_report_of_a_day_is_one_row_recomputed_in_place(shard: tuple[str, list[ShardTenant]]) -> None:
    _, (alpha, bravo) = shard
    day = seed_yesterday(alpha)

    with as_tenant(alpha.slug):
        first = record_daily_report(day)
    with tenant_transaction(alpha.route):
        late = record_security_event(None, AuditEventType.SIGN_IN_FAILED, subject="late@example.test")
        AuditEvent.objects.filter(pk=late.pk).update(occurred_at=first.computed_at - dt.timedelta(days=1))
    with as_tenant(alpha.slug):
        second = record_daily_report(day)

    assert second.pk == first.pk
    assert figures(first) == (3, 2, 1, 1)
    assert figures(second) == (3, 2, 2, 1)
    with tenant_transaction(alpha.route):
        assert DailyReport.objects.count() == 1
    with tenant_transaction(bravo.route):
        assert DailyReport.objects.count() == 0
    with pytest.raises(RuntimeError, match="run it as a tenant"):
        record_daily_report(day)


@pytest.fixture
def beat_queue() -> Iterator[str]:
    queue = f"beat-test-{secrets.token_hex(4)}"
    try:
        yield queue
    finally:
        delete_queue(celery_app, queue)


def test_beat_fires_a_tenant_schedule_that_runs_in_that_tenants_schema(
    shard: tuple[str, list[ShardTenant]], beat_queue: str, tmp_path: Path
) -> None:
    _, (alpha, bravo) = shard
    day = seed_yesterday(alpha)
    seed_yesterday(bravo)
    # Given alpha's nightly report registered every second instead of every night,
    every_second = TenantSchedule("nightly-report", REPORT_TASK, "test", every=dt.timedelta(seconds=1))
    ensure_tenant_schedules(alpha.slug, schedules=[every_second])

    # when a beat (database scheduler, from the settings) and a worker run as deployed,
    queue_env = {"CELERY_DEFAULT_QUEUE": beat_queue}
    with (
        celery_process(
            ["beat", "--max-interval", "1", "--loglevel", "INFO"], tmp_path / "beat.log", **queue_env
        ) as beat,
        celery_process(worker_args(beat_queue), tmp_path / "worker.log", **queue_env) as worker,
    ):

        def alpha_report() -> DailyReport | None:
            with tenant_transaction(alpha.route):
                return DailyReport.objects.filter(date=day).first()

        def logs() -> str:
            return f"beat:\n{beat.output()}\nworker:\n{worker.output()}"

        first = wait_until(alpha_report, timeout=60, what=f"alpha's report\n{logs()}")
        # then it fires again and again, and each run recomputes the same row.
        wait_until(
            lambda: (report := alpha_report()) and report.computed_at > first.computed_at,
            timeout=30,
            what=f"a second run\n{logs()}",
        )

    assert figures(first) == (3, 2, 1, 1)
    with tenant_transaction(alpha.route):
        assert DailyReport.objects.count() == 1
    with tenant_transaction(bravo.route):
        assert DailyReport.objects.count() == 0  # bravo has no such entry: its schema saw nothing


def invite(tenant: ShardTenant, email: str) -> None:
    with tenant_transaction(tenant.route):
        owner_role, _ = Role.objects.update_or_create(
            slug="owner", defaults={"name": "Owner", "permissions": ["users.create"], "requires_two_factor": False}
        )
        User.objects.create_user("owner@example.test", PASSWORD, role=owner_role)
    client = Client(HTTP_HOST=tenant.host)
    tokens = client.post(
        "/api/v1/auth/sign-in/", {"email": "owner@example.test", "password": PASSWORD}, content_type="application/json"
    ).json()
    response = client.post(
        "/api/v1/users/",
        {"email": email},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {tokens['access']}",
    )
    assert response.status_code == 201, response.content


def test_a_pending_invitation_is_reminded_once_with_a_working_link(
    shard: tuple[str, list[ShardTenant]], mail: MailSink, settings: Any
) -> None:
    _, (alpha, _) = shard
    settings.ACCOUNTS_STORE_ORIGIN = "http://{host}:8000"
    invite(alpha, "sam@example.test")
    invite_too = "new@example.test"
    mail.wait_for("sam@example.test")
    with tenant_transaction(alpha.route):
        # Sam was invited three days ago; the second invitation is today's and not due yet.
        AuditEvent.objects.filter(type=AuditEventType.USER_INVITED).update(
            occurred_at=timezone.now() - dt.timedelta(days=3)
        )
        User.objects.create_user(invite_too, None)
        record_security_event(None, AuditEventType.USER_INVITED, subject=invite_too)

    with as_tenant(alpha.slug):
        assert remind_pending_invitations() == 1
    with as_tenant(alpha.slug):
        assert remind_pending_invitations() == 0  # at most once per invitation

    invitation, reminder = mail.wait_for("sam@example.test", count=2)
    assert (invitation["Subject"], reminder["Subject"]) == ("You are invited", "Your invitation is waiting")
    link = link_in(reminder)
    assert link.startswith(f"http://{alpha.host}:8000/accept-invitation?")
    query = parse_qs(urlsplit(link).query)
    accepted = Client(HTTP_HOST=alpha.host).post(
        "/api/v1/auth/password/reset/confirm/",
        {"uid": query["uid"][0], "token": query["token"][0], "password": "the chosen passphrase"},
        content_type="application/json",
    )
    assert accepted.status_code == 204, accepted.content
    with tenant_transaction(alpha.route):
        assert list(InvitationReminder.objects.values_list("user__email", flat=True)) == ["sam@example.test"]
        assert AuditEvent.objects.filter(type=AuditEventType.INVITATION_REMINDED).count() == 1
    assert mail.sent_to(invite_too) == []
