"""Emit an event: one row in the outbox, in the transaction of the change it reports.

If the transaction rolls back, the event was never emitted; once it commits, the relay
will publish it (at least once). The insert also NOTIFYs the relay, which Postgres
delivers only at commit, so a committed event is usually on the broker within
milliseconds, not at the next sweep.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import connection, transaction

from tenantry_kernel.context import current_tenant
from tenantry_kernel.events.envelope import Event, current_traceparent
from tenantry_kernel.events.registry import registry

NOTIFY_CHANNEL = "tenantry_outbox"


class OutsideTransaction(RuntimeError):
    pass


def emit(type_name: str, data: dict[str, Any], *, subject: str = "", tenant: str | None = None) -> Event:
    """Record `type_name` with `data` for the current tenant (or `tenant`) in this transaction's outbox.

    The payload is checked against the type's schema in the registry (`InvalidPayload`).
    `subject` names the aggregate (e.g. "product/42"); events of one subject reach consumers
    in the order they were emitted when the action locks the aggregate while it writes.
    """
    if not transaction.get_connection().in_atomic_block:
        raise OutsideTransaction(
            f"emit({type_name!r}) outside a transaction: call it inside the action's transaction.atomic()"
        )
    event_type = registry.get(type_name)
    event_type.validate(data)
    owner = tenant or current_tenant()
    if not owner:
        raise ValueError(f"emit({type_name!r}) needs a tenant: none is bound and none was given")
    event = Event(
        type=type_name,
        tenant=owner,
        data=data,
        source=f"/{settings.SERVICE_NAME}",
        subject=subject,
        dataschema=event_type.dataschema,
        traceparent=current_traceparent(),
    )
    with connection.cursor() as cursor:
        # One round trip: the row, and the wake-up call carrying the schema to drain.
        cursor.execute(
            "WITH added AS ("
            " INSERT INTO tenantry_outbox (event_id, routing_key, envelope, created_at)"
            " VALUES (%s, %s, %s, now()) RETURNING 1)"
            " SELECT pg_notify(%s, current_schema()) FROM added",
            [event.id, event.routing_key, event.to_json().decode(), NOTIFY_CHANNEL],
        )
    return event
