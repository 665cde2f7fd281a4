"""The read model of the order ledger: one row per order, kept by `ledger.OrderProjection`.

Nothing but the projection writes here, and every column follows from the order's events
(times from their metadata), so `OrderProjection().replay()` rebuilds the table exactly.
The truth is the event store (`tenantry_event_store`, streams `order-<id>`).
"""

from __future__ import annotations

from django.db import models


class OrderStatus(models.TextChoices):
    PLACED = "placed"  # waiting for payment; may be cancelled
    PAID = "paid"
    PARTIALLY_REFUNDED = "partially_refunded"
    REFUNDED = "refunded"  # all of the payment went back; may be cancelled
    CANCELLED = "cancelled"


class OrderSummary(models.Model):
    id = models.UUIDField(primary_key=True)  # the order's id; its stream is `order-<id>`
    # The user who placed it; a plain id, as the events say (policies test `resource.customer_id`).
    customer_id = models.BigIntegerField(db_index=True)
    status = models.CharField(max_length=20, choices=OrderStatus.choices)
    currency = models.CharField(max_length=3)
    # Up to 12 integer digits and 3 decimals: every currency's ISO 4217 exponent (KWD 3) fits.
    total = models.DecimalField(max_digits=15, decimal_places=3)
    paid = models.DecimalField(max_digits=15, decimal_places=3)
    refunded = models.DecimalField(max_digits=15, decimal_places=3)
    # What a gateway holds for it (order.payment_authorized) until the capture pays it; 0 when nothing is held.
    authorized = models.DecimalField(max_digits=15, decimal_places=3, default=0)
    # As placed: [{"product_id", "quantity", "unit_price": {"amount", "currency"}}].
    lines = models.JSONField()
    placed_at = models.DateTimeField()
    updated_at = models.DateTimeField()  # when its latest event happened
    version = models.PositiveIntegerField()  # of its stream: pass it as expected_version to change the order

    class Meta:
        indexes = [
            models.Index(fields=["-placed_at", "-id"], name="orders_summary_newest"),
            models.Index(fields=["status", "-placed_at"], name="orders_summary_status"),
        ]
        verbose_name_plural = "order summaries"

    def __str__(self) -> str:
        return f"order {self.id} ({self.status})"
