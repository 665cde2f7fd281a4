"""Celery work is sent after commit, runs as its tenant, retries transient failures and survives dying workers.

Real RabbitMQ, real workers: a thread of this process where that suffices, separate worker
processes where one gets killed.
"""

from __future__ import annotations

import os
import secrets
import signal
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import transaction

from tenant_app import celery_app
from tenant_app.tenancy.context import tenant_transaction
from tenantry_kernel.celery import enqueue_on_commit
from tenantry_kernel.context import bound_tenant
from tenantry_kernel.testing import delete_queue

from .celery_probes import (
    celery_process,
    flaky,
    forget,
    hold,
    probe_key,
    records,
    store,
    thread_worker,
    wait_until,
    whoami,
    worker_args,
)
from .conftest import ShardTenant


@pytest.fixture
def queue() -> Iterator[str]:
    name = f"reliability-{secrets.token_hex(4)}"
    try:
        yield name
    finally:
        delete_queue(celery_app, name)


@pytest.fixture
def keys() -> Iterator[str]:
    prefix = probe_key()
    try:
        yield prefix
    finally:
        forget(prefix)


@pytest.fixture
def worker_queue(queue: str) -> Iterator[str]:
    with thread_worker(queue):
        yield queue


def messages_waiting(queue: str) -> int:
    with celery_app.connection_for_write() as conn:
        # A passive declare only reads the queue: its ready (not yet delivered) messages.
        channel: Any = conn.default_channel
        return int(channel.queue_declare(queue, passive=True).message_count)


def test_enqueued_work_runs_as_the_tenant_it_was_enqueued_for(
    shard: tuple[str, list[ShardTenant]], worker_queue: str, keys: str
) -> None:
    _, (alpha, bravo) = shard

    # Given alpha's work enqueued inside alpha's own transaction,
    with tenant_transaction(alpha.route):
        enqueue_on_commit(whoami.s(f"{keys}:alpha").set(queue=worker_queue))
    # and bravo's enqueued while bravo was bound, in a transaction that commits only after
    # the tenant is unbound again (the commit callback itself runs with no tenant).
    with transaction.atomic(), bound_tenant(bravo.slug):
        enqueue_on_commit(whoami.s(f"{keys}:bravo").set(queue=worker_queue))

    # Then each task ran with its tenant's role and schema.
    assert wait_until(lambda: records(f"{keys}:alpha"), what="alpha's task") == [
        [alpha.route.role_name, alpha.route.schema_name, alpha.slug]
    ]
    assert wait_until(lambda: records(f"{keys}:bravo"), what="bravo's task") == [
        [bravo.route.role_name, bravo.route.schema_name, bravo.slug]
    ]


def test_work_enqueued_in_a_rolled_back_transaction_is_never_sent(
    shard: tuple[str, list[ShardTenant]], queue: str, keys: str
) -> None:
    _, (alpha, _) = shard

    def enqueue_then_fail() -> None:
        with tenant_transaction(alpha.route):
            enqueue_on_commit(whoami.s(f"{keys}:rolled-back").set(queue=queue))
            raise RuntimeError("changed my mind")

    # Given work enqueued in a transaction that then fails,
    with pytest.raises(RuntimeError, match="changed my mind"):
        enqueue_then_fail()
    # and work enqueued in one that commits,
    with tenant_transaction(alpha.route):
        enqueue_on_commit(whoami.s(f"{keys}:committed").set(queue=queue))

    # then only the committed work reached the broker,
    assert messages_waiting(queue) == 1
    # and a worker runs it alone.
    with thread_worker(queue, concurrency=1):
        wait_until(lambda: records(f"{keys}:committed"), what="the committed task")
    assert records(f"{keys}:rolled-back") == []
    assert messages_waiting(queue) == 0


def test_a_transient_failure_is_retried_with_backoff_until_the_task_succeeds(
    shard: tuple[str, list[ShardTenant]], worker_queue: str, keys: str
) -> None:
    _, (alpha, _) = shard

    # Given a task that fails twice with a connection error,
    with tenant_transaction(alpha.route):
        enqueue_on_commit(flaky.s(keys, 2).set(queue=worker_queue))

    # then it is retried, as the same tenant, and the third attempt succeeds.
    assert wait_until(lambda: store().get(f"{keys}:done"), what="the third attempt") == "3"
    attempts = records(keys)
    assert [attempt[0] for attempt in attempts] == [0, 1, 2]  # request.retries of each attempt
    assert {tuple(attempt[1:]) for attempt in attempts} == {
        (alpha.route.role_name, alpha.route.schema_name, alpha.slug)
    }


def test_retries_stop_after_max_retries(shard: tuple[str, list[ShardTenant]], worker_queue: str, keys: str) -> None:
    # Given a task that always fails (the probe allows 8 retries),
    flaky.s(keys, 1000).apply_async(queue=worker_queue)

    # then it is attempted 1 + max_retries times and then given up.
    wait_until(lambda: len(records(keys)) >= 1 + flaky.max_retries, timeout=90, what="every attempt")
    with pytest.raises(AssertionError, match="one attempt too many did not happen"):
        wait_until(lambda: len(records(keys)) > 1 + flaky.max_retries, timeout=3, what="one attempt too many")
    assert store().get(f"{keys}:done") is None


def test_work_of_a_killed_worker_is_redelivered_to_another_worker(
    shard: tuple[str, list[ShardTenant]], queue: str, keys: str, tmp_path: Path
) -> None:
    _, (alpha, _) = shard
    with tenant_transaction(alpha.route):
        enqueue_on_commit(hold.s(keys).set(queue=queue))

    # Given a worker process that has started the task,
    with celery_process(worker_args(queue), tmp_path / "first.log") as first:
        wait_until(lambda: records(keys), what=f"the first worker to start the task:\n{first.output()}")
        # when the whole worker is killed mid-task (acks_late: the message is still unacknowledged),
        first.kill_all()

    # then a second worker gets the message again and completes it, as the same tenant.
    with celery_process(worker_args(queue), tmp_path / "second.log") as second:
        done_by = wait_until(lambda: store().get(f"{keys}:done"), what=f"the redelivery:\n{second.output()}")
    (first_pid, first_redelivered, *first_seen), (second_pid, second_redelivered, *second_seen) = records(keys)
    assert int(done_by) == second_pid != first_pid
    assert (first_redelivered, second_redelivered) == (False, True)
    assert first_seen == second_seen == [alpha.route.role_name, alpha.route.schema_name, alpha.slug]
    assert messages_waiting(queue) == 0


def test_work_of_a_killed_pool_process_is_redelivered(
    shard: tuple[str, list[ShardTenant]], queue: str, keys: str, tmp_path: Path
) -> None:
    _, (alpha, _) = shard
    with tenant_transaction(alpha.route):
        enqueue_on_commit(hold.s(keys).set(queue=queue))

    with celery_process(worker_args(queue), tmp_path / "worker.log") as worker:
        # Given the worker's pool process running the task,
        [[pool_pid, *_]] = wait_until(lambda: records(keys), what=f"the task to start:\n{worker.output()}")
        assert pool_pid != worker.pid
        # when that process is killed (the worker itself lives on: reject_on_worker_lost requeues the message),
        os.kill(pool_pid, signal.SIGKILL)

        # then the task is delivered again and completes in a new pool process.
        done_by = wait_until(lambda: store().get(f"{keys}:done"), what=f"the redelivery:\n{worker.output()}")
    (_, first_redelivered, *_), (second_pid, second_redelivered, *seen) = records(keys)
    assert int(done_by) == second_pid != pool_pid
    assert (first_redelivered, second_redelivered) == (False, True)
    assert seen == [alpha.route.role_name, alpha.route.schema_name, alpha.slug]
    assert messages_waiting(queue) == 0
