"""An append-only event store: streams of events with versions and optimistic concurrency.

Used where history is the point (money: orders, the billing ledger). A writer loads an
aggregate at version N and appends at N+1…; if another writer got there first, the unique
(stream, version) constraint refuses the append and `StreamConflict` says so — the caller
reloads and decides again, nothing is overwritten. Projections are read models built from
the events; `replay` rebuilds one from scratch, and must equal the live one.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar, Generic, TypeVar

from django.db import IntegrityError, transaction

from tenantry_kernel.events.models import Snapshot, StoredEvent
from tenantry_kernel.events.registry import registry
from tenantry_kernel.web.exceptions import Conflict


class StreamConflict(Conflict):
    """Someone appended to the stream since it was read (HTTP 409 `stream_conflict` in an API)."""

    default_code = "stream_conflict"

    def __init__(self, stream_id: str, expected_version: int) -> None:
        self.stream_id = stream_id
        self.expected_version = expected_version
        super().__init__(
            f"{stream_id} changed since version {expected_version} was read; reload it and try again.",
            code="stream_conflict",
        )


@dataclass(frozen=True)
class NewEvent:
    type: str
    data: dict[str, Any]
    metadata: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class RecordedEvent:
    stream_id: str
    version: int
    position: int
    type: str
    data: dict[str, Any]
    metadata: dict[str, Any]
    recorded_at: datetime | None = None

    @classmethod
    def of(cls, row: StoredEvent) -> RecordedEvent:
        return cls(row.stream_id, row.version, row.position, row.type, row.data, row.metadata, row.recorded_at)


def append(stream_id: str, events: Sequence[NewEvent], expected_version: int) -> list[RecordedEvent]:
    """Append `events` after `expected_version` (0 for a new stream), or raise StreamConflict."""
    if not events:
        return []
    for event in events:
        registry.get(event.type).validate(event.data)
    rows = [
        StoredEvent(
            stream_id=stream_id,
            version=expected_version + offset,
            event_id=uuid.uuid4(),
            type=event.type,
            data=event.data,
            metadata=event.metadata,
        )
        for offset, event in enumerate(events, start=1)
    ]
    try:
        # A savepoint, so a lost race leaves the caller's transaction usable.
        with transaction.atomic():
            created = StoredEvent.objects.bulk_create(rows)
    except IntegrityError as error:
        if "tenantry_event_store_version" in str(error):
            raise StreamConflict(stream_id, expected_version) from error
        raise
    return [RecordedEvent.of(row) for row in created]


def read_stream(stream_id: str, after_version: int = 0) -> list[RecordedEvent]:
    rows = StoredEvent.objects.filter(stream_id=stream_id, version__gt=after_version).order_by("version")
    return [RecordedEvent.of(row) for row in rows]


def read_all(prefix: str = "", batch_size: int = 1000) -> Iterator[RecordedEvent]:
    """Every event (of streams starting with `prefix`) in the order they were recorded, in batches.

    Positions are taken at insert, not at commit: a reader running beside writers may see
    position 12 before a slower transaction commits 11. Read inside one transaction (as
    `Projection.replay` does) for a complete history; a catch-up subscription would need a
    commit-ordered feed instead (e.g. the outbox).
    """
    after = 0
    while True:
        query = StoredEvent.objects.filter(position__gt=after)
        if prefix:
            query = query.filter(stream_id__startswith=prefix)
        rows = list(query.order_by("position")[:batch_size])
        yield from (RecordedEvent.of(row) for row in rows)
        if len(rows) < batch_size:
            return
        after = rows[-1].position


class Aggregate:
    """State rebuilt from its stream: subclasses define `apply` per event type and commands that `record`."""

    stream_prefix: ClassVar[str]
    snapshot_every: ClassVar[int] = 0  # 0: never snapshot

    def __init__(self, aggregate_id: str) -> None:
        self.id = aggregate_id
        self.version = 0
        self.pending: list[NewEvent] = []

    @property
    def stream_id(self) -> str:
        return f"{self.stream_prefix}-{self.id}"

    def record(self, type_name: str, data: dict[str, Any], metadata: dict[str, Any] | None = None) -> None:
        event = NewEvent(type_name, data, metadata or {})
        self.apply(event.type, event.data)
        self.pending.append(event)

    def apply(self, type_name: str, data: dict[str, Any]) -> None:
        raise NotImplementedError

    def snapshot(self) -> dict[str, Any] | None:
        """The state as JSON for a snapshot, or None when this aggregate does not snapshot."""
        return None

    def restore(self, state: dict[str, Any]) -> None:
        raise NotImplementedError


A = TypeVar("A", bound=Aggregate)


class Repository(Generic[A]):
    def __init__(self, aggregate: type[A]) -> None:
        self.aggregate = aggregate

    def load(self, aggregate_id: str) -> A | None:
        """The aggregate at its latest version, or None if its stream is empty."""
        instance = self.aggregate(aggregate_id)
        if instance.snapshot_every:
            snapshot = Snapshot.objects.filter(stream_id=instance.stream_id).first()
            if snapshot is not None:
                instance.restore(snapshot.state)
                instance.version = snapshot.version
        for event in read_stream(instance.stream_id, after_version=instance.version):
            instance.apply(event.type, event.data)
            instance.version = event.version
        return instance if instance.version else None

    def save(self, instance: A) -> list[RecordedEvent]:
        """Append the pending events at the version the aggregate was loaded at (StreamConflict if stale)."""
        recorded = append(instance.stream_id, instance.pending, instance.version)
        before = instance.version
        instance.version += len(instance.pending)
        instance.pending = []
        every = instance.snapshot_every
        if every and instance.version // every > before // every:
            state = instance.snapshot()
            if state is not None:
                Snapshot.objects.update_or_create(
                    stream_id=instance.stream_id, defaults={"version": instance.version, "state": state}
                )
        return recorded


Handler = Callable[[RecordedEvent], None]


class Projection:
    """A read model fed by events: `handlers` per type, `reset` empties it, `replay` rebuilds it."""

    stream_prefix: ClassVar[str] = ""

    def handlers(self) -> dict[str, Handler]:
        raise NotImplementedError

    def reset(self) -> None:
        raise NotImplementedError

    def handle(self, events: Iterable[RecordedEvent]) -> None:
        handlers = self.handlers()
        for event in events:
            handler = handlers.get(event.type)
            if handler is not None:
                handler(event)

    def replay(self) -> int:
        """Rebuild from the store in one transaction; returns the number of events read."""
        count = 0

        def counted() -> Iterator[RecordedEvent]:
            nonlocal count
            for event in read_all(self.stream_prefix):
                count += 1
                yield event

        with transaction.atomic():
            self.reset()
            self.handle(counted())
        return count
