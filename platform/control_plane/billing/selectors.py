"""Reads of billing: who may see a tenant's billing, its invoices, payment methods and subscription."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from djstripe import models as djstripe_models
from rest_framework.exceptions import NotFound, PermissionDenied

from control_plane.billing.models import BillingProfile, DailySpend, DailyUsage, Invoice
from control_plane.tenants.models import MemberRole, Membership, Tenant

# Owners and billing members see and change billing; admins run the store, not its payments.
BILLING_ROLES = frozenset({MemberRole.OWNER, MemberRole.BILLING})


def tenant_for_billing(user: Any, slug: str) -> Tenant:
    """The tenant `slug` if `user` may manage its billing: 404 to outsiders, 403 to other roles."""
    membership = Membership.objects.select_related("tenant").filter(tenant__slug=slug, user=user).first()
    if membership is None:
        raise NotFound(f"There is no tenant {slug!r} among yours.")
    if membership.role not in BILLING_ROLES:
        raise PermissionDenied("Only the tenant's owners and billing members may see or change its billing.")
    return membership.tenant


def profile_of(tenant: Tenant) -> BillingProfile | None:
    return BillingProfile.objects.filter(tenant=tenant).first()


def invoices_of(tenant: Tenant) -> QuerySet[Invoice]:
    return Invoice.objects.filter(tenant=tenant).order_by("-issued_at", "-number")


def invoice_of(tenant: Tenant, number: str) -> Invoice:
    invoice = Invoice.objects.filter(tenant=tenant, number=number).first()
    if invoice is None:
        raise NotFound(f"Tenant {tenant.slug!r} has no invoice {number!r}.")
    return invoice


def payment_methods_of(tenant: Tenant) -> QuerySet[djstripe_models.PaymentMethod]:
    """The tenant's payment methods as mirrored in dj-stripe (synced when attached)."""
    profile = profile_of(tenant)
    if profile is None or not profile.stripe_customer_id:
        return djstripe_models.PaymentMethod.objects.none()
    return djstripe_models.PaymentMethod.objects.filter(customer__id=profile.stripe_customer_id).order_by("created")


def default_payment_method_id(tenant: Tenant) -> str:
    profile = profile_of(tenant)
    customer = profile.djstripe_customer if profile is not None else None
    if customer is None:
        return ""
    settings_data = customer.stripe_data.get("invoice_settings") or {}
    return str(settings_data.get("default_payment_method") or "")


def usage_series(tenant: Tenant, start: date, end: date) -> dict[str, Any]:
    """The ledger's daily projections of `tenant` from `start` to `end` (both included): one entry per day, days
    without entries at zero; metrics and currencies are those seen in the range, sorted."""
    usage: dict[date, dict[str, int]] = {}
    for row in DailyUsage.objects.filter(tenant=tenant.slug, day__range=(start, end)):
        usage.setdefault(row.day, {})[row.metric] = row.quantity
    spend: dict[date, dict[str, tuple[Decimal, Decimal]]] = {}
    for spent in DailySpend.objects.filter(tenant=tenant.slug, day__range=(start, end)):
        spend.setdefault(spent.day, {})[spent.currency] = (spent.charged, spent.paid)
    metrics = sorted({metric for day in usage.values() for metric in day})
    currencies = sorted({currency for day in spend.values() for currency in day})
    days = []
    for offset in range((end - start).days + 1):
        day = start + timedelta(days=offset)
        money = spend.get(day, {})
        days.append(
            {
                "date": day.isoformat(),
                "usage": {metric: usage.get(day, {}).get(metric, 0) for metric in metrics},
                "charged": {c: f"{money.get(c, (Decimal(0), Decimal(0)))[0]:.2f}" for c in currencies},
                "paid": {c: f"{money.get(c, (Decimal(0), Decimal(0)))[1]:.2f}" for c in currencies},
            }
        )
    return {
        "from": start.isoformat(),
        "to": end.isoformat(),
        "metrics": metrics,
        "currencies": currencies,
        "days": days,
    }
