"""The kernel's outbox and event store on the control plane's database (real PostgreSQL)."""

from __future__ import annotations

import json
import threading
from typing import Any

import pytest
from django.db import connection, transaction

from tenantry_kernel.events.envelope import Event
from tenantry_kernel.events.models import OutboxEvent, Snapshot, StoredEvent
from tenantry_kernel.events.outbox import OutsideTransaction, emit
from tenantry_kernel.events.registry import InvalidPayload, UnknownEventType
from tenantry_kernel.events.store import NewEvent, StreamConflict, append, read_stream

pytestmark = pytest.mark.django_db(transaction=True)

USAGE = {
    "metric": "orders",
    "quantity": 3,
    "period_start": "2026-11-01T00:00:00Z",
    "period_end": "2026-11-02T00:00:00Z",
}


def test_an_emitted_event_is_a_cloudevent_in_the_outbox() -> None:
    with transaction.atomic():
        event = emit("usage.reported", USAGE, subject="usage/orders", tenant="acme")

    row = OutboxEvent.objects.get()
    assert row.routing_key == "acme.usage.reported"
    body = row.envelope if isinstance(row.envelope, dict) else json.loads(row.envelope)
    assert body["specversion"] == "1.0"
    assert body["type"] == "usage.reported"
    assert body["tenant"] == "acme"
    assert body["source"] == "/control-plane"
    assert body["subject"] == "usage/orders"
    assert body["dataschema"] == "urn:tenantry:event:usage.reported:v1"
    assert body["data"] == USAGE
    assert Event.from_dict(body) == event


def test_a_rolled_back_transaction_emits_nothing() -> None:
    def failing_change() -> None:
        with transaction.atomic():
            emit("usage.reported", USAGE, tenant="acme")
            raise RuntimeError("the change failed")

    with pytest.raises(RuntimeError):
        failing_change()

    assert not OutboxEvent.objects.exists()


def test_emit_refuses_what_would_be_lost_or_unreadable() -> None:
    with pytest.raises(OutsideTransaction):
        emit("usage.reported", USAGE, tenant="acme")
    with transaction.atomic():
        with pytest.raises(UnknownEventType):
            emit("usage.guessed", USAGE, tenant="acme")
        with pytest.raises(InvalidPayload) as invalid:
            emit("usage.reported", {**USAGE, "quantity": -1}, tenant="acme")
        with pytest.raises(ValueError, match="needs a tenant"):
            emit("usage.reported", USAGE)
    assert invalid.value.errors == {"quantity": "-1 is less than the minimum of 0"}
    assert not OutboxEvent.objects.exists()


def test_appends_version_a_stream_and_a_stale_writer_conflicts() -> None:
    charge = NewEvent("billing.charged", {"amount": {"amount": "29.00", "currency": "EUR"}, "description": "Starter"})
    with transaction.atomic():
        append("billing-acme", [charge, charge], expected_version=0)
        with pytest.raises(StreamConflict) as conflict:
            append("billing-acme", [charge], expected_version=1)
        # The transaction is still usable after the lost race.
        append("billing-acme", [charge], expected_version=2)

    assert [event.version for event in read_stream("billing-acme")] == [1, 2, 3]
    assert conflict.value.status_code == 409
    assert conflict.value.get_codes() == "stream_conflict"


def test_concurrent_appends_at_one_version_let_exactly_one_win() -> None:
    payment = NewEvent("billing.payment_received", {"amount": {"amount": "10.00", "currency": "EUR"}, "reference": "x"})
    with transaction.atomic():
        append("billing-race", [payment], expected_version=0)
    barrier = threading.Barrier(4)
    outcomes: list[str] = []

    def writer() -> None:
        try:
            barrier.wait()
            with transaction.atomic():
                append("billing-race", [payment], expected_version=1)
            outcomes.append("appended")
        except StreamConflict:
            outcomes.append("conflict")
        finally:
            connection.close()

    threads = [threading.Thread(target=writer) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["appended", "conflict", "conflict", "conflict"]
    assert StoredEvent.objects.filter(stream_id="billing-race").count() == 2


def test_the_store_refuses_payloads_its_readers_cannot_read() -> None:
    bad: dict[str, Any] = {"amount": {"amount": "ten", "currency": "EUR"}, "description": ""}
    with pytest.raises(InvalidPayload), transaction.atomic():
        append("billing-acme", [NewEvent("billing.charged", bad)], expected_version=0)
    assert not StoredEvent.objects.exists()
    assert not Snapshot.objects.exists()


def test_prune_inbox_forgets_only_what_no_redelivery_can_still_bring() -> None:
    from datetime import timedelta

    from django.core.management import CommandError, call_command
    from django.utils import timezone

    from tenantry_kernel.events.models import InboxEvent

    InboxEvent.objects.create(consumer="usage", event_id="old", event_type="usage.reported")
    InboxEvent.objects.create(consumer="usage", event_id="new", event_type="usage.reported")
    InboxEvent.objects.filter(event_id="old").update(handled_at=timezone.now() - timedelta(days=31))

    call_command("prune_inbox", "--days", "30")

    assert list(InboxEvent.objects.values_list("event_id", flat=True)) == ["new"]
    with pytest.raises(CommandError, match="at least a day"):
        call_command("prune_inbox", "--days", "0")
