"""A store set up for checkout tests: languages and currencies, a variant with stock, shipping to Germany, German
tax; and a shopper's client (guest token or signed-in member) for the cart endpoints."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from django.test import Client

from tenant_app.catalog.models import Product, ProductVariant, Stock, StoreSettings
from tenant_app.checkout.models import (
    CheckoutSettings,
    ShippingMethod,
    ShippingPrice,
    ShippingZone,
    TaxRate,
    Voucher,
)
from tenant_app.tenancy.context import tenant_transaction

from .conftest import ShardTenant
from .shop import Store

ADDRESS = {
    "name": "Ada Lovelace",
    "street_address_1": "Unter den Linden 1",
    "city": "Berlin",
    "postal_code": "10117",
    "country": "DE",
}


class CheckoutStore(Store):
    """The members of `Store`, plus what a checkout needs, made in the tenant's schema."""

    def __init__(self, tenant: ShardTenant, *, stock: int = 10) -> None:
        super().__init__(tenant)
        with tenant_transaction(tenant.route):
            settings = StoreSettings.current()
            settings.languages, settings.default_language = ["en", "de"], "en"
            settings.currencies, settings.default_currency = ["EUR", "USD", "JPY"], "EUR"
            settings.rate_overrides = {"USD": "1.0800", "JPY": "160.00"}
            settings.save()
            CheckoutSettings.objects.update_or_create(
                id=CheckoutSettings.current().pk, defaults={"max_lines": 5, "max_quantity": 20}
            )
            now = self._now()
            product = Product.objects.create(
                name="Espresso beans",
                slug="espresso-beans",
                price_amount=Decimal("24.90"),
                price_currency="EUR",
                published=True,
                published_at=now,
            )
            self.variant = ProductVariant.objects.create(
                product=product, sku=f"BEANS-{uuid.uuid4().hex[:6]}", name="1 kg", weight_grams=1000
            )
            self.variant.prices.create(currency="EUR", amount=Decimal("24.90"))
            self.stock = Stock.objects.create(variant=self.variant, location="main", quantity=stock)
            other = Product.objects.create(
                name="Mug",
                slug="mug",
                price_amount=Decimal("9.99"),
                price_currency="EUR",
                published=True,
                published_at=now,
            )
            self.mug = ProductVariant.objects.create(product=other, sku=f"MUG-{uuid.uuid4().hex[:6]}", weight_grams=300)
            self.mug.prices.create(currency="EUR", amount=Decimal("9.99"))
            self.mug_stock = Stock.objects.create(variant=self.mug, location="main", quantity=100)
            zone = ShippingZone.objects.create(name="Germany", countries=["DE", "AT"])
            self.parcel = ShippingMethod.objects.create(zone=zone, name="Parcel", max_weight_grams=30000)
            ShippingPrice.objects.bulk_create(
                [
                    ShippingPrice(method=self.parcel, currency="EUR", amount=Decimal("4.90")),
                    ShippingPrice(method=self.parcel, currency="USD", amount=Decimal("5.50")),
                    ShippingPrice(method=self.parcel, currency="JPY", amount=Decimal("800")),
                ]
            )
            TaxRate.objects.create(country="DE", rate=Decimal(19))
            Voucher.objects.create(code="TEN", kind="percentage", value=Decimal(10))

    @staticmethod
    def _now() -> Any:
        from django.utils import timezone

        return timezone.now()

    def shopper(self, who: str | None = None) -> Shopper:
        return Shopper(self, who)

    def stock_row(self, variant: ProductVariant | None = None) -> tuple[int, int]:
        with tenant_transaction(self.tenant.route):
            stock = Stock.objects.get(variant=variant or self.variant)
            return stock.quantity, stock.quantity_reserved


class Shopper:
    """One shopper's view of the cart API: a guest (who keeps the token) or a signed-in member."""

    def __init__(self, store: CheckoutStore, who: str | None) -> None:
        self.store, self.who = store, who
        self.cart_id = ""
        self.token = ""

    def headers(self, **extra: str) -> dict[str, str]:
        headers = dict(extra)
        if self.who:
            headers["Authorization"] = f"Bearer {self.store.tokens[self.who]}"
        if self.token:
            headers["Cart-Token"] = self.token
        return headers

    def call(self, method: str, path: str, body: Any = None, **headers: str) -> Any:
        client = Client(HTTP_HOST=self.store.tenant.host, REMOTE_ADDR="10.1.2.3")
        return getattr(client, method)(path, body, content_type="application/json", headers=self.headers(**headers))

    def start(self, **body: Any) -> dict[str, Any]:
        response = self.call("post", "/api/v1/checkout/carts/", body)
        assert response.status_code == 201, response.content
        cart: dict[str, Any] = response.json()
        self.cart_id, self.token = cart["id"], cart["token"] or ""
        return cart

    @property
    def path(self) -> str:
        return f"/api/v1/checkout/carts/{self.cart_id}/"

    def add(self, variant: int, quantity: int) -> Any:
        return self.call("post", f"{self.path}lines/", {"variant": variant, "quantity": quantity})

    def details(self, **body: Any) -> Any:
        return self.call("patch", self.path, body)

    def ready(self, **extra: Any) -> dict[str, Any]:
        response = self.details(
            email="ada@example.com",
            shipping_address=ADDRESS,
            billing_address=ADDRESS,
            shipping_method=self.store.parcel.pk,
            **extra,
        )
        assert response.status_code == 200, response.content
        body: dict[str, Any] = response.json()
        return body

    def complete(self, key: str | None = "key-1", body: Any = None) -> Any:
        headers = {"Idempotency-Key": key} if key is not None else {}
        return self.call("post", f"{self.path}complete/", body or {}, **headers)
