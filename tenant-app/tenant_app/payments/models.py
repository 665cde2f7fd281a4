"""A store's gateway connections (secrets encrypted at rest), its payments, and the webhooks it took in.

Payments are the gateway's side of an order; the order's money (paid, refunded) is the order ledger's
(tenant_app.orders), which every captured or refunded amount goes through (tenant_app.payments.actions).
"""

from __future__ import annotations

import uuid

from django.db import models


class GatewayName(models.TextChoices):
    STRIPE = "stripe", "Stripe"
    PAYPAL = "paypal", "PayPal"
    RAZORPAY = "razorpay", "Razorpay"


class PaymentStatus(models.TextChoices):
    PENDING = "pending"  # waiting for the buyer
    REQUIRES_ACTION = "requires_action"  # 3-D Secure or another step at the gateway
    AUTHORIZED = "authorized"  # money held; capture takes it
    CAPTURED = "captured"  # the order is paid (order.paid in the ledger)
    FAILED = "failed"  # declined or not authenticated
    CANCELLED = "cancelled"


class GatewayAccount(models.Model):
    """The store's credentials at one gateway. `secret` and `webhook_secret` are Fernet tokens
    (tenant_app.payments.vault), never the secret itself; the API shows `public_id` and `secret_last4` only."""

    gateway = models.CharField(max_length=20, choices=GatewayName.choices, unique=True)
    public_id = models.CharField(max_length=200)
    secret = models.TextField()
    secret_last4 = models.CharField(max_length=4)
    webhook_secret = models.TextField(blank=True, default="")
    connected_at = models.DateTimeField()
    connected_by_id = models.BigIntegerField(null=True)

    def __str__(self) -> str:
        return f"{self.gateway} ({self.public_id})"


class Payment(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    order_id = models.UUIDField(db_index=True)
    gateway = models.CharField(max_length=20, choices=GatewayName.choices)
    reference = models.CharField(max_length=200)  # the gateway's id of it (PaymentIntent, PayPal/Razorpay order)
    capture_reference = models.CharField(max_length=200, blank=True, default="")
    status = models.CharField(max_length=20, choices=PaymentStatus.choices)
    currency = models.CharField(max_length=3)
    # The currency's ISO 4217 exponent decides the decimals used (JPY 0, KWD 3); the columns hold 3.
    amount = models.DecimalField(max_digits=15, decimal_places=3)
    captured = models.DecimalField(max_digits=15, decimal_places=3, default=0)
    refunded = models.DecimalField(max_digits=15, decimal_places=3, default=0)
    manual_capture = models.BooleanField(default=False)
    next_action = models.JSONField(default=dict, blank=True)
    failure = models.CharField(max_length=500, blank=True, default="")
    created_by_id = models.BigIntegerField(null=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["gateway", "reference"], name="payments_one_per_reference")]

    def __str__(self) -> str:
        return f"payment {self.id} ({self.gateway} {self.status})"


class WebhookReceipt(models.Model):
    """One row per gateway event taken in: the unique constraint is what makes an event count once."""

    gateway = models.CharField(max_length=20, choices=GatewayName.choices)
    event_id = models.CharField(max_length=200)
    event_type = models.CharField(max_length=100)
    reference = models.CharField(max_length=200, blank=True, default="")
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["gateway", "event_id"], name="payments_webhook_once")]

    def __str__(self) -> str:
        return f"{self.gateway} {self.event_id}"
