"""Tables of the events machinery, in every database (and tenant schema) that emits or handles events.

- `tenantry_outbox`: events written in the transaction of the change; the relay publishes and deletes them.
- `tenantry_inbox`: ids of events a consumer has handled, written in the handler's transaction.
- `tenantry_event_store` / `tenantry_snapshot`: append-only streams of the event-sourced aggregates.
"""

from __future__ import annotations

from django.db import models


class OutboxEvent(models.Model):
    # The relay publishes in id order; an action that locks its aggregate row gets ids in commit order.
    id = models.BigAutoField(primary_key=True)
    event_id = models.UUIDField(unique=True)
    routing_key = models.CharField(max_length=255)
    envelope = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "tenantry_outbox"

    def __str__(self) -> str:
        return f"{self.routing_key} {self.event_id}"


class RejectedOutboxEvent(models.Model):
    """An outbox row the relay would not publish (a tenant schema's row that breaks the trust model,
    docs/security.md): kept here with the reason, never sent and never lost."""

    id = models.BigAutoField(primary_key=True)
    event_id = models.UUIDField()
    routing_key = models.CharField(max_length=255)
    envelope = models.JSONField()
    reason = models.TextField()
    created_at = models.DateTimeField()
    rejected_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "tenantry_outbox_rejected"

    def __str__(self) -> str:
        return f"{self.routing_key} {self.event_id}: {self.reason}"


class InboxEvent(models.Model):
    consumer = models.CharField(max_length=100)
    event_id = models.CharField(max_length=64)
    event_type = models.CharField(max_length=100)
    handled_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "tenantry_inbox"
        constraints = [models.UniqueConstraint(fields=["consumer", "event_id"], name="tenantry_inbox_once")]
        indexes = [models.Index(fields=["handled_at"], name="tenantry_inbox_handled_at")]

    def __str__(self) -> str:
        return f"{self.consumer} {self.event_id}"


def prune_inbox(days: int = 30) -> int:
    """Forget handled event ids older than `days` (far past any redelivery or retry); the count deleted."""
    from datetime import timedelta

    from django.utils import timezone

    if days < 1:
        raise ValueError("keep handled ids at least a day: a redelivery may still come")
    deleted, _ = InboxEvent.objects.filter(handled_at__lt=timezone.now() - timedelta(days=days)).delete()
    return deleted


class StoredEvent(models.Model):
    position = models.BigAutoField(primary_key=True)
    stream_id = models.CharField(max_length=200)
    version = models.PositiveIntegerField()
    event_id = models.UUIDField(unique=True)
    type = models.CharField(max_length=100)
    data = models.JSONField()
    metadata = models.JSONField(default=dict)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "tenantry_event_store"
        constraints = [
            # Optimistic concurrency: two writers appending the same version, one wins.
            models.UniqueConstraint(fields=["stream_id", "version"], name="tenantry_event_store_version"),
            models.CheckConstraint(condition=models.Q(version__gte=1), name="tenantry_event_store_version_from_1"),
        ]

    def __str__(self) -> str:
        return f"{self.stream_id}@{self.version} {self.type}"


class Snapshot(models.Model):
    stream_id = models.CharField(max_length=200, primary_key=True)
    version = models.PositiveIntegerField()
    state = models.JSONField()
    taken_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "tenantry_snapshot"

    def __str__(self) -> str:
        return f"{self.stream_id}@{self.version}"
