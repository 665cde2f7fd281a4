"""Billing's periodic work for Celery Beat: the dunning sweep."""

from __future__ import annotations

from celery import shared_task

from control_plane.billing.actions import dunning


@shared_task(name="billing.suspend_overdue_tenants", acks_late=True)
def suspend_overdue_tenants() -> list[str]:
    """Hourly: suspend the tenants whose grace period ended unpaid (idempotent; many workers are fine)."""
    return dunning.suspend_overdue_tenants()
