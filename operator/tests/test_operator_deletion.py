"""Deleting a Tenant while kopf's drift timer checks it: the deletion wins and is not held up."""

from __future__ import annotations

import logging
import threading
from typing import cast

import pytest

from tenant_operator.kube import Kube
from tenantry_kernel.provisioning import broker
from tenantry_kernel.provisioning.database.schemas import inspect_tenant_database

from .conftest import Shards, Tenants, is_ready, wait_for


class ObservedLock:
    """Stands in for the operator's lock of one tenant: the test holds it and sees who waits for it."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._count = threading.Lock()
        self.waiting = 0

    def __enter__(self) -> bool:
        if not self._lock.acquire(blocking=False):
            with self._count:
                self.waiting += 1
            self._lock.acquire()
            with self._count:
                self.waiting -= 1
        return True

    def __exit__(self, *exc: object) -> None:
        self._lock.release()


def kopf_logged(caplog: pytest.LogCaptureFixture, message: str, since: int = 0) -> bool:
    return any(message in record.getMessage() for record in caplog.records[since:])


def test_a_tenant_deleted_while_its_drift_check_runs_is_released_and_not_provisioned_again(
    kube: Kube, shards: Shards, tenants: Tenants, operator, caplog: pytest.LogCaptureFixture
) -> None:
    # kopf's debug log is the only place that says what its timer and finalizer are doing.
    caplog.set_level(logging.DEBUG, logger="kopf.objects")
    dsn = shards.add("shard-a")
    running = operator()
    slug = tenants.slug("gone")
    tenant_lock = ObservedLock()
    running.context.tenant_locks[slug] = cast(threading.Lock, tenant_lock)
    tenants.create(slug, database={"deletionPolicy": "Delete"})
    wait_for(lambda: is_ready(kube.get("Tenant", slug)), 90, f"tenant {slug} Ready")

    # given a drift check in flight: it waits for the tenant's lock, which the test holds
    with tenant_lock:
        # The Tenant is Ready, so its create handler is done: only the drift timer reconciles it now.
        wait_for(lambda: tenant_lock.waiting, 30, "a drift check waiting for the tenant")

        # when the Tenant is deleted, and kopf, which cannot stop a sync timer, sees it still running
        mark = len(caplog.records)
        kube.delete("Tenant", slug)
        wait_for(lambda: kopf_logged(caplog, "Timer 'tenant_drift' is still exiting", mark), 30, "deletion seen")

    # then the finalizer goes once the check is over, not at kopf's next poll of the timer (60 s) ...
    wait_for(lambda: kube.get("Tenant", slug) is None, 30, "the Tenant finalized")
    # ... and the check, which had started before the deletion, provisioned nothing again
    left = inspect_tenant_database(dsn, slug)
    assert (left.schema_exists, left.role_exists) == (False, False)
    assert not broker.inspect_tenant_broker(running.context.broker_admin, slug).vhost_exists
    for secret in ("database", "broker", "django"):
        assert kube.get("Secret", f"tenant-{slug}-{secret}", "tenantry-system") is None
    assert not kopf_logged(caplog, "touch-dummy", mark)  # kopf never had to poke the Tenant to re-check
