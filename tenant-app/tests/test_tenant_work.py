"""Work outside requests carries the tenant: Celery tasks, stored files and channel-layer groups."""

from __future__ import annotations

import functools
import secrets
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.core.exceptions import SuspiciousFileOperation
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection, transaction

from tenant_app import celery_app
from tenant_app.accounts.models import User
from tenant_app.tenancy.channels import belongs_to_current_tenant, tenant_group
from tenant_app.tenancy.context import TenantUnavailable, as_tenant, tenant_transaction
from tenant_app.tenancy.routes import routes
from tenantry_kernel.context import bound_tenant, current_tenant
from tenantry_kernel.provisioning import routing
from tenantry_kernel.testing import delete_queue
from tenantry_kernel.testing.workers import worker_on_queue

from .conftest import ShardTenant

# What the task saw, by label (the worker runs in this process, in a thread).
SEEN: dict[str, tuple[Any, ...]] = {}


@celery_app.task(name="tests.tenant_work.whoami")
def whoami(label: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user, current_schema()")
        SEEN[label] = (*cursor.fetchone(), current_tenant(), User.objects.count())


def wait_until(condition: Callable[[], bool], timeout: float = 30) -> bool:
    deadline = time.monotonic() + timeout
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.05)
    return condition()


@pytest.fixture
def worker_queue() -> Iterator[str]:

    queue = f"tenant-work-{secrets.token_hex(4)}"
    try:
        with worker_on_queue(celery_app, queue):
            yield queue
    finally:
        delete_queue(celery_app, queue)


def test_a_task_runs_as_the_tenant_that_enqueued_it(shard: tuple[str, list[ShardTenant]], worker_queue: str) -> None:
    _, (alpha, bravo) = shard
    SEEN.clear()

    for tenant, users in ((alpha, 2), (bravo, 1)):
        with tenant_transaction(tenant.route):
            for number in range(users):
                User.objects.create_user(f"u{number}@example.test")
            transaction.on_commit(functools.partial(whoami.apply_async, (tenant.slug,), queue=worker_queue))

    assert wait_until(lambda: len(SEEN) == 2), SEEN
    assert SEEN[alpha.slug] == (alpha.route.role_name, alpha.route.schema_name, alpha.slug, 2)
    assert SEEN[bravo.slug] == (bravo.route.role_name, bravo.route.schema_name, bravo.slug, 1)


def test_work_for_a_suspended_or_unknown_tenant_is_refused(shard: tuple[str, list[ShardTenant]]) -> None:
    admin_dsn, (alpha, _) = shard
    routing.ensure_routes(admin_dsn, alpha.slug, [alpha.host], suspended=True)
    routes.forget()

    with pytest.raises(TenantUnavailable, match="suspended"), as_tenant(alpha.slug):
        pass
    with pytest.raises(TenantUnavailable, match="no route"), as_tenant("nobody-here"):
        pass


def test_files_live_under_the_tenant_prefix_and_other_tenants_cannot_reach_them(
    settings: Any, tmp_path: Any, shard: tuple[str, list[ShardTenant]]
) -> None:
    settings.MEDIA_ROOT = str(tmp_path)
    _, (alpha, bravo) = shard

    with bound_tenant(alpha.slug):
        name = default_storage.save("invoices/1.pdf", ContentFile(b"%PDF alpha"))
        assert name == f"tenants/{alpha.slug}/invoices/1.pdf"
        assert default_storage.open(name).read() == b"%PDF alpha"

    with bound_tenant(bravo.slug):
        for attempt in (name, f"tenants/{bravo.slug}/../{alpha.slug}/invoices/1.pdf"):
            with pytest.raises(SuspiciousFileOperation):
                default_storage.open(attempt)
        with pytest.raises(SuspiciousFileOperation):
            default_storage.delete(name)
    assert (tmp_path / "tenants" / alpha.slug / "invoices" / "1.pdf").read_bytes() == b"%PDF alpha"
    with pytest.raises(SuspiciousFileOperation):
        default_storage.open(name)  # no tenant at all


def test_channel_groups_are_named_per_tenant() -> None:
    with bound_tenant("alpha-1"):
        group = tenant_group("user", 42)
        assert group == "t.alpha-1.user.42"
        assert belongs_to_current_tenant(group)
        assert not belongs_to_current_tenant("t.bravo-2.user.42")
        assert not belongs_to_current_tenant("t.alpha-10.user.42")
        with pytest.raises(ValueError, match="invalid"):
            tenant_group("user", "42.t.bravo")
    with pytest.raises(PermissionError):
        tenant_group("user", 42)
