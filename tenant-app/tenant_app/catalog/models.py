"""Products of the store: name, description, a price (decimal amount + ISO 4217 currency), published or not."""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models

from tenant_app.catalog.money import validate_currency


class Product(models.Model):
    name = models.CharField(max_length=200)
    description = models.TextField(max_length=20000, blank=True)
    price_amount = models.DecimalField(max_digits=12, decimal_places=2, validators=[MinValueValidator(Decimal(0))])
    price_currency = models.CharField(max_length=3, validators=[validate_currency])
    # Shoppers (the customer role, through the seeded policy) and the marketplace see published products only.
    published = models.BooleanField(default=False)
    published_at = models.DateTimeField(null=True, blank=True)
    # The store location that keeps the product: policies test it, e.g. staff change products of their own
    # location only (`resource.location == subject.location`). Empty: no particular location.
    location = models.CharField(max_length=100, blank=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["published", "id"], name="catalog_product_published")]
        constraints = [
            models.CheckConstraint(condition=models.Q(price_amount__gte=0), name="catalog_product_price_not_negative"),
            models.CheckConstraint(
                condition=models.Q(price_currency__regex=r"^[A-Z]{3}$"), name="catalog_product_currency_iso_4217"
            ),
            # A published product says since when; an unpublished one has no such date.
            models.CheckConstraint(
                condition=models.Q(published=True, published_at__isnull=False)
                | models.Q(published=False, published_at__isnull=True),
                name="catalog_product_published_at",
            ),
        ]

    def __str__(self) -> str:
        return self.name
