"""What each plan costs and allows: price, features and product limits, in one table.

The resource side (database connections, pod sizes, quotas) is the kernel's
`tenantry_kernel.provisioning.plans`; each offer here points at it, so a plan is one name
with one price, one feature list and one size. Stripe knows each paid plan as a Product
(`tenantry-<plan>`) with a monthly price (`tenantry-<plan>-monthly-<currency>`), created by
`manage.py sync_stripe_plans` (or on first use) from this table. At Stripe that price is a Plan
object (the older form of a Price, which localstripe speaks); in this code a "plan" is only ever
ours, and Stripe's Plan objects are called prices.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from tenantry_kernel.provisioning.plans import Plan as PlanResources
from tenantry_kernel.provisioning.plans import PlanName, plan_for


@dataclass(frozen=True)
class Limits:
    max_products: int | None  # None: unlimited
    max_members: int | None
    api_requests_per_minute: int


@dataclass(frozen=True)
class Offer:
    name: PlanName
    title: str
    monthly_price: Decimal
    currency: str  # ISO 4217
    features: tuple[str, ...]
    limits: Limits

    @property
    def is_free(self) -> bool:
        return self.monthly_price == 0

    @property
    def stripe_product_id(self) -> str:
        return f"tenantry-{self.name.value}"

    @property
    def stripe_price_id(self) -> str:
        """The id of the offer's monthly price at Stripe (a Stripe Plan object, see above)."""
        return f"tenantry-{self.name.value}-monthly-{self.currency.lower()}"

    @property
    def minor_units(self) -> int:
        """The price in the currency's smallest unit, as Stripe counts it."""
        return int((self.monthly_price * 100).to_integral_exact())

    @property
    def resources(self) -> PlanResources:
        return plan_for(self.name.value)

    def public(self) -> dict[str, Any]:
        return {
            "name": self.name.value,
            "title": self.title,
            "price": {"amount": f"{self.monthly_price:.2f}", "currency": self.currency, "interval": "month"},
            "features": list(self.features),
            "limits": {
                "max_products": self.limits.max_products,
                "max_members": self.limits.max_members,
                "api_requests_per_minute": self.limits.api_requests_per_minute,
            },
            "resources": {
                "replicas_max": self.resources.replicas_max,
                "storage": self.resources.storage,
                "db_connection_limit": self.resources.db_connection_limit,
            },
        }


_BASE = ("storefront", "catalog", "orders", "invoices_pdf")

OFFERS: dict[PlanName, Offer] = {
    PlanName.FREE: Offer(
        PlanName.FREE, "Free", Decimal("0.00"), "EUR", _BASE,
        Limits(max_products=50, max_members=2, api_requests_per_minute=60),
    ),
    PlanName.STARTER: Offer(
        PlanName.STARTER, "Starter", Decimal("29.00"), "EUR", (*_BASE, "custom_domain", "email_support"),
        Limits(max_products=1_000, max_members=5, api_requests_per_minute=300),
    ),
    PlanName.GROWTH: Offer(
        PlanName.GROWTH, "Growth", Decimal("99.00"), "EUR",
        (*_BASE, "custom_domain", "email_support", "search_autocomplete", "analytics", "sso"),
        Limits(max_products=20_000, max_members=25, api_requests_per_minute=1_200),
    ),
    PlanName.ENTERPRISE: Offer(
        PlanName.ENTERPRISE, "Enterprise", Decimal("499.00"), "EUR",
        (*_BASE, "custom_domain", "priority_support", "search_autocomplete", "analytics", "sso",
         "dedicated_tier", "audit_export"),
        Limits(max_products=None, max_members=None, api_requests_per_minute=6_000),
    ),
}  # fmt: skip

# Cheapest first: the order the pricing page and the API's choices list them in.
ORDER = [PlanName.FREE, PlanName.STARTER, PlanName.GROWTH, PlanName.ENTERPRISE]


def offer_for(name: str) -> Offer:
    """The offer called `name`; ValueError naming the valid plans otherwise."""
    try:
        return OFFERS[PlanName(name)]
    except ValueError:
        raise ValueError(f"unknown plan {name!r}; expected one of {', '.join(p.value for p in ORDER)}") from None


def offer_for_stripe_price(stripe_price_id: str) -> Offer | None:
    return next((offer for offer in OFFERS.values() if offer.stripe_price_id == stripe_price_id), None)
