"""Billing records: the ledger's read models (projected, rebuildable with `replay`), Stripe links, tax, invoices."""

from __future__ import annotations

from django.db import models


class LedgerBalance(models.Model):
    """What a tenant owes in one currency: charges minus payments and credits."""

    tenant = models.CharField(max_length=63)
    currency = models.CharField(max_length=3)
    balance = models.DecimalField(max_digits=14, decimal_places=4, default=0)
    version = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["tenant", "currency"], name="billing_balance_per_currency")]

    def __str__(self) -> str:
        return f"{self.tenant} {self.balance} {self.currency}"


class MeteredUsage(models.Model):
    """A tenant's metered consumption per metric, summed over the usage events received."""

    tenant = models.CharField(max_length=63)
    metric = models.CharField(max_length=40)
    quantity = models.BigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["tenant", "metric"], name="billing_usage_per_metric")]

    def __str__(self) -> str:
        return f"{self.tenant} {self.metric}={self.quantity}"


class DailyUsage(models.Model):
    """A tenant's metered consumption per metric and day (the day its reported period ended, UTC)."""

    tenant = models.CharField(max_length=63)
    day = models.DateField()
    metric = models.CharField(max_length=40)
    quantity = models.BigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["tenant", "day", "metric"], name="billing_usage_per_day")]

    def __str__(self) -> str:
        return f"{self.tenant} {self.day} {self.metric}={self.quantity}"


class DailySpend(models.Model):
    """What a tenant was charged and what it paid (payments and credits) per currency and day (UTC)."""

    tenant = models.CharField(max_length=63)
    day = models.DateField()
    currency = models.CharField(max_length=3)
    charged = models.DecimalField(max_digits=14, decimal_places=4, default=0)
    paid = models.DecimalField(max_digits=14, decimal_places=4, default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["tenant", "day", "currency"], name="billing_spend_per_day")]

    def __str__(self) -> str:
        return f"{self.tenant} {self.day} {self.charged}/{self.paid} {self.currency}"


class BillingProfile(models.Model):
    """A tenant's link to Stripe: its customer, its subscription as Stripe last told us, and dunning.

    The customer and payment methods are mirrored in dj-stripe's tables too (`djstripe_customer`);
    the subscription fields here are the platform's own record, kept from Stripe's answers and
    webhooks, and the one the dunning and plan logic read.
    """

    tenant = models.OneToOneField("tenants.Tenant", on_delete=models.CASCADE, related_name="billing")
    # ISO 3166-1 alpha-2; picks the tax rate of the tenant's invoices.
    country = models.CharField(max_length=2, blank=True)
    stripe_customer_id = models.CharField(max_length=255, blank=True, db_index=True)
    djstripe_customer = models.OneToOneField(
        "djstripe.Customer", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    subscription_id = models.CharField(max_length=255, blank=True, db_index=True)
    subscription_item_id = models.CharField(max_length=255, blank=True)
    subscription_status = models.CharField(max_length=30, blank=True)
    current_period_end = models.DateTimeField(null=True, blank=True)
    cancel_at_period_end = models.BooleanField(default=False)
    # Dunning: set by the first failed payment, cleared by a payment.
    payment_failed_at = models.DateTimeField(null=True, blank=True)
    grace_ends_at = models.DateTimeField(null=True, blank=True, db_index=True)
    suspended_for_nonpayment = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"billing of {self.tenant_id}"


class TaxRate(models.Model):
    """The tax charged on subscriptions billed to a country (one rate per country, exclusive of the price)."""

    country = models.CharField(max_length=2, unique=True)
    name = models.CharField(max_length=60)
    percentage = models.DecimalField(max_digits=6, decimal_places=3)
    # The matching Stripe TaxRate, created on first use so Stripe charges what our invoice says.
    stripe_tax_rate_id = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["country"]

    def __str__(self) -> str:
        return f"{self.country} {self.name} {self.percentage}%"


class InvoiceSequence(models.Model):
    """The last invoice number given out in a year; incremented under a row lock, so numbers have no gaps."""

    year = models.PositiveIntegerField(unique=True)
    last_number = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.year}: {self.last_number}"


class InvoiceStatus(models.TextChoices):
    OPEN = "open"
    PAID = "paid"
    VOID = "void"


class Invoice(models.Model):
    """The platform's invoice for one Stripe invoice, numbered `TY-<year>-<6 digits>` without gaps."""

    number = models.CharField(max_length=20, unique=True)
    tenant = models.ForeignKey("tenants.Tenant", on_delete=models.PROTECT, related_name="invoices")
    stripe_invoice_id = models.CharField(max_length=255, unique=True)
    status = models.CharField(max_length=10, choices=InvoiceStatus.choices, default=InvoiceStatus.OPEN)
    issued_at = models.DateTimeField()
    paid_at = models.DateTimeField(null=True, blank=True)
    period_start = models.DateTimeField(null=True, blank=True)
    period_end = models.DateTimeField(null=True, blank=True)
    currency = models.CharField(max_length=3)
    subtotal = models.DecimalField(max_digits=14, decimal_places=2)
    tax_name = models.CharField(max_length=60, blank=True)
    tax_country = models.CharField(max_length=2, blank=True)
    tax_percentage = models.DecimalField(max_digits=6, decimal_places=3, default=0)
    tax_amount = models.DecimalField(max_digits=14, decimal_places=2)
    total = models.DecimalField(max_digits=14, decimal_places=2)
    # [{"description": str, "amount": "12.34"}], and who was billed, as they were when issued.
    lines = models.JSONField(default=list)
    bill_to = models.JSONField(default=dict)

    class Meta:
        ordering = ["-issued_at", "-number"]

    def __str__(self) -> str:
        return self.number


class StripeEvent(models.Model):
    """A webhook event received from Stripe, stored once by its id; handled at most once."""

    id = models.CharField(max_length=255, primary_key=True)
    type = models.CharField(max_length=100)
    payload = models.JSONField()
    received_at = models.DateTimeField(auto_now_add=True)
    processed_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["received_at"]

    def __str__(self) -> str:
        return f"{self.type} {self.id}"
