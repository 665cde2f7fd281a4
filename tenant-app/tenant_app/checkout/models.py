"""Carts, their lines and stock reservations; vouchers; shipping zones and methods; tax rates; completions.

A cart belongs to a guest (who holds its token: only a hash of it is stored) or to a signed-in user. Each line
holds a reservation of stock for a while (CheckoutSettings.reservation_minutes); the Stock row's
`quantity_reserved` counts every reservation row, and both change together under the Stock row's lock.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone


class CartStatus(models.TextChoices):
    OPEN = "open"
    COMPLETED = "completed"  # became an order
    MERGED = "merged"  # a guest cart folded into the shopper's own at sign-in
    EXPIRED = "expired"


class CheckoutSettings(models.Model):
    """The store's checkout rules: one row per tenant schema (`current()` makes it)."""

    # The single row's key: a unique constant, so two first reads cannot make two rows.
    singleton = models.BooleanField(default=True, unique=True, editable=False)
    prices_include_tax = models.BooleanField(default=True)
    reservation_minutes = models.PositiveIntegerField(default=15)
    cart_ttl_hours = models.PositiveIntegerField(default=72)  # an untouched open cart expires after this
    max_lines = models.PositiveIntegerField(default=50)
    max_quantity = models.PositiveIntegerField(default=99)

    class Meta:
        verbose_name_plural = "checkout settings"

    def __str__(self) -> str:
        return "checkout settings"

    @classmethod
    def current(cls) -> CheckoutSettings:
        found, _ = cls.objects.get_or_create(singleton=True)
        return found

    @property
    def reservation_period(self) -> timedelta:
        return timedelta(minutes=self.reservation_minutes)


class ShippingZone(models.Model):
    name = models.CharField(max_length=100)
    countries = models.JSONField(default=list)  # ISO 3166-1 alpha-2 codes

    def __str__(self) -> str:
        return self.name


class ShippingMethod(models.Model):
    zone = models.ForeignKey(ShippingZone, on_delete=models.CASCADE, related_name="methods")
    name = models.CharField(max_length=100)
    min_weight_grams = models.PositiveIntegerField(default=0)
    max_weight_grams = models.PositiveIntegerField(null=True, blank=True)  # None: no upper limit
    active = models.BooleanField(default=True)

    def __str__(self) -> str:
        return self.name


class ShippingPrice(models.Model):
    method = models.ForeignKey(ShippingMethod, on_delete=models.CASCADE, related_name="prices")
    currency = models.CharField(max_length=3)
    amount = models.DecimalField(max_digits=15, decimal_places=3)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["method", "currency"], name="checkout_shipping_price_once"),
            models.CheckConstraint(condition=models.Q(amount__gte=0), name="checkout_shipping_price_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.amount} {self.currency}"


class TaxRate(models.Model):
    country = models.CharField(max_length=2, unique=True)
    rate = models.DecimalField(max_digits=6, decimal_places=3)  # percent

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(rate__gte=0, rate__lte=100), name="checkout_tax_rate_percent")
        ]

    def __str__(self) -> str:
        return f"{self.country} {self.rate}%"


class VoucherKind(models.TextChoices):
    PERCENTAGE = "percentage"
    FIXED = "fixed"


class Voucher(models.Model):
    code = models.CharField(max_length=40, unique=True)  # stored in capitals; shoppers type it in any case
    kind = models.CharField(max_length=20, choices=VoucherKind.choices)
    value = models.DecimalField(max_digits=15, decimal_places=3)
    currency = models.CharField(max_length=3, blank=True)  # fixed vouchers only
    min_spend = models.DecimalField(max_digits=15, decimal_places=3, null=True, blank=True)
    usage_limit = models.PositiveIntegerField(null=True, blank=True)  # None: unlimited
    used = models.PositiveIntegerField(default=0)
    once_per_customer = models.BooleanField(default=False)
    starts_at = models.DateTimeField(null=True, blank=True)
    ends_at = models.DateTimeField(null=True, blank=True)
    active = models.BooleanField(default=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(value__gt=0), name="checkout_voucher_value_positive"),
            models.CheckConstraint(
                condition=models.Q(usage_limit__isnull=True) | models.Q(used__lte=models.F("usage_limit")),
                name="checkout_voucher_within_limit",
            ),
        ]

    def __str__(self) -> str:
        return self.code


class VoucherRedemption(models.Model):
    voucher = models.ForeignKey(Voucher, on_delete=models.CASCADE, related_name="redemptions")
    customer = models.CharField(max_length=254)  # "user:<id>" or the guest's email in lower case
    once = models.BooleanField(default=False)  # the voucher was once-per-customer when redeemed
    order_id = models.UUIDField()
    redeemed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["voucher", "customer"], condition=models.Q(once=True), name="checkout_voucher_once_per_customer"
            )
        ]

    def __str__(self) -> str:
        return f"{self.voucher_id} by {self.customer}"


class Cart(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # SHA-256 of a guest's token (the token is shown once, at creation); null for a signed-in shopper's cart.
    token_hash = models.CharField(max_length=64, unique=True, null=True, blank=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE)
    status = models.CharField(max_length=20, choices=CartStatus.choices, default=CartStatus.OPEN)
    currency = models.CharField(max_length=3)
    language = models.CharField(max_length=10)
    email = models.EmailField(blank=True)
    shipping_address = models.JSONField(default=dict, blank=True)
    billing_address = models.JSONField(default=dict, blank=True)
    shipping_method = models.ForeignKey(ShippingMethod, null=True, blank=True, on_delete=models.SET_NULL)
    voucher = models.ForeignKey(Voucher, null=True, blank=True, on_delete=models.SET_NULL)
    order_id = models.UUIDField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(default=timezone.now)  # the shopper's last change: expiry counts from it

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user"], condition=models.Q(status="open"), name="checkout_one_open_cart_per_user"
            ),
            models.CheckConstraint(
                condition=models.Q(token_hash__isnull=False) | models.Q(user__isnull=False),
                name="checkout_cart_has_an_owner",
            ),
        ]
        indexes = [models.Index(fields=["status", "updated_at"], name="checkout_cart_open_age")]

    def __str__(self) -> str:
        return f"cart {self.id} ({self.status})"


class CartLine(models.Model):
    cart = models.ForeignKey(Cart, on_delete=models.CASCADE, related_name="lines")
    variant = models.ForeignKey("catalog.ProductVariant", on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveIntegerField()
    # The price the shopper was shown, in the cart's currency, and the exchange rate that gave it (None: a price
    # set in that currency). Completion re-checks it against today's price.
    unit_price = models.DecimalField(max_digits=15, decimal_places=3)
    rate = models.DecimalField(max_digits=22, decimal_places=10, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["cart", "variant"], name="checkout_line_once_per_variant"),
            models.CheckConstraint(condition=models.Q(quantity__gte=1), name="checkout_line_quantity_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} x variant {self.variant_id}"


class Reservation(models.Model):
    """`quantity` of one Stock row held for a cart line until `expires_at`; counted in Stock.quantity_reserved."""

    line = models.ForeignKey(CartLine, on_delete=models.CASCADE, related_name="reservations")
    stock = models.ForeignKey("catalog.Stock", on_delete=models.CASCADE, related_name="+")
    quantity = models.PositiveIntegerField()
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["line", "stock"], name="checkout_reservation_once_per_stock"),
            models.CheckConstraint(condition=models.Q(quantity__gte=1), name="checkout_reservation_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} of stock {self.stock_id}"


class OrderAllocation(models.Model):
    """Stock a completed checkout took for an order: what its cancellation gives back."""

    order_id = models.UUIDField(db_index=True)
    stock = models.ForeignKey("catalog.Stock", on_delete=models.CASCADE, related_name="+")
    quantity = models.PositiveIntegerField()
    returned = models.BooleanField(default=False)

    def __str__(self) -> str:
        return f"{self.quantity} of stock {self.stock_id} for order {self.order_id}"


class CheckoutCompletion(models.Model):
    """An Idempotency-Key used to complete a checkout: the same key and body give the same order."""

    key = models.CharField(max_length=200, unique=True)
    body_hash = models.CharField(max_length=64)
    cart = models.ForeignKey(Cart, on_delete=models.CASCADE, related_name="completions")
    order_id = models.UUIDField()
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"completion {self.key}"
