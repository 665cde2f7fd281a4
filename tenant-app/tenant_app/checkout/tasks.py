"""Celery tasks of checkout, sent by Celery Beat per tenant (tenant_app.schedules); safe to run twice."""

from __future__ import annotations

from celery import shared_task

from tenant_app.checkout import actions
from tenantry_kernel.celery import transient_retries


@shared_task(name="tenantry.checkout.release_expired_reservations", **transient_retries())
def release_expired_reservations(tz: str = "UTC") -> int:
    """Units of stock given back from lapsed reservations and expired carts; `tz` comes with every schedule."""
    return actions.release_expired_reservations()
