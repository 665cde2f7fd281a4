"""Invoices of paid orders: numbered per store without gaps, issued once per order, never changed afterwards.

An invoice is a copy of what it states at the time it was issued (seller, buyer, lines, taxes, totals), so
rendering it again later, in any language, shows the same figures. The store's schema is the store, so one
counter row numbers all of its invoices: `actions.issue_invoice` locks it, takes the next number and writes the
invoice in one transaction, so a rolled-back issue leaves no hole.
"""

from __future__ import annotations

from django.db import models


class InvoiceCounter(models.Model):
    """The one row holding the store's last invoice number (created by the migration)."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_number = models.PositiveBigIntegerField(default=0)

    class Meta:
        constraints = [models.CheckConstraint(condition=models.Q(id=1), name="invoices_counter_single_row")]

    def __str__(self) -> str:
        return f"invoice counter at {self.last_number}"


class Invoice(models.Model):
    number = models.PositiveBigIntegerField(unique=True)
    order_id = models.UUIDField(unique=True)  # one invoice per order
    customer_id = models.BigIntegerField(db_index=True)  # as the order says (policies test resource.customer_id)
    issued_at = models.DateTimeField()
    currency = models.CharField(max_length=3)
    # Snapshots: {"name", "host"}; {"name", "email", "address": {tenantry_kernel.addresses fields} | None}.
    seller = models.JSONField()
    buyer = models.JSONField()
    # [{"description", "product_id", "quantity", "unit_price", "amount"}], amounts as decimal strings.
    lines = models.JSONField()
    # [{"name", "rate", "amount"}] as the order's events state them; empty when they state none.
    taxes = models.JSONField(default=list)
    subtotal = models.DecimalField(max_digits=15, decimal_places=3)
    tax_total = models.DecimalField(max_digits=15, decimal_places=3)
    total = models.DecimalField(max_digits=15, decimal_places=3)

    class Meta:
        ordering = ["number"]

    def __str__(self) -> str:
        return f"invoice {self.number} of order {self.order_id}"

    @property
    def display_number(self) -> str:
        return f"{self.number:06d}"
