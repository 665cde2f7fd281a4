"""Dunning: a failed payment opens a grace period, the hourly sweep suspends the tenants whose grace ended
unpaid, and paying every open invoice ends it (and resumes a tenant suspended for it)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from control_plane.audit.actions import record as record_audit
from control_plane.billing.models import BillingProfile, Invoice, InvoiceStatus
from control_plane.tenants.actions import lifecycle
from control_plane.tenants.models import TenantState


def begin_grace_period(profile: BillingProfile, invoice: Invoice) -> None:
    """The locked profile's grace period starts with its first failed payment (a later failure keeps it)."""
    if profile.payment_failed_at is None:
        now = timezone.now()
        profile.payment_failed_at = now
        profile.grace_ends_at = now + timedelta(days=settings.BILLING_GRACE_DAYS)
        profile.save(update_fields=["payment_failed_at", "grace_ends_at", "updated_at"])
    grace_ends_at = profile.grace_ends_at.isoformat() if profile.grace_ends_at else ""
    record_audit(
        "billing.payment_failed", tenant=profile.tenant.slug, target=invoice,
        data={"invoice": invoice.number, "grace_ends_at": grace_ends_at}, source="stripe",
    )  # fmt: skip


def end_if_paid_up(profile: BillingProfile, paid: Invoice) -> None:
    """Once no invoice is open, the locked profile's dunning ends; a tenant it suspended is ready again."""
    if Invoice.objects.filter(tenant=profile.tenant, status=InvoiceStatus.OPEN).exists():
        return  # still owes another invoice: dunning goes on
    was_suspended = profile.suspended_for_nonpayment
    profile.payment_failed_at = None
    profile.grace_ends_at = None
    profile.suspended_for_nonpayment = False
    profile.save(update_fields=["payment_failed_at", "grace_ends_at", "suspended_for_nonpayment", "updated_at"])
    if was_suspended and profile.tenant.state == TenantState.SUSPENDED:
        lifecycle.transition(profile.tenant, TenantState.READY, reason=f"Invoice {paid.number} paid.", source="stripe")


def suspend_overdue_tenants(now: datetime | None = None) -> list[str]:
    """Suspend every ready tenant whose grace period ended unpaid; returns their slugs (idempotent)."""
    now = now or timezone.now()
    suspended = []
    overdue = BillingProfile.objects.filter(grace_ends_at__lte=now, tenant__state=TenantState.READY)
    for profile_id in overdue.values_list("pk", flat=True):
        with transaction.atomic():
            profile = BillingProfile.objects.select_for_update().select_related("tenant").get(pk=profile_id)
            if profile.grace_ends_at is None or profile.grace_ends_at > now:
                continue  # paid meanwhile
            if profile.tenant.state != TenantState.READY:
                continue
            since = profile.payment_failed_at.date().isoformat() if profile.payment_failed_at else "?"
            lifecycle.transition(
                profile.tenant, TenantState.SUSPENDED, reason=f"Payment overdue since {since}.", source="stripe"
            )
            profile.suspended_for_nonpayment = True
            profile.save(update_fields=["suspended_for_nonpayment", "updated_at"])
            suspended.append(profile.tenant.slug)
    return suspended
