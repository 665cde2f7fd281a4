"""Entries of the billing ledger (the event-sourced `BillingAccount` of `billing.ledger`): usage, charges,
payments and credits, each recorded with its projection in one transaction."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import transaction

from control_plane.billing.ledger import BillingAccount, LedgerProjection
from tenantry_kernel.events.store import Repository

accounts = Repository(BillingAccount)


def _record(tenant: str, entries: list[tuple[str, dict[str, Any]]]) -> BillingAccount:
    with transaction.atomic():
        account = accounts.load(tenant) or BillingAccount(tenant)
        for type_name, data in entries:
            account.record(type_name, data)
        LedgerProjection().handle(accounts.save(account))
    return account


def _money(amount: Decimal, currency: str) -> dict[str, str]:
    # Fixed-point text ("100", "9.99"), never an exponent ("1E+2"), at most 4 decimals.
    return {"amount": format(amount.quantize(Decimal("0.0001")).normalize(), "f"), "currency": currency}


def record_usage(tenant: str, metric: str, quantity: int, *, source_event: str, period_end: str) -> BillingAccount:
    """Usage a tenant reported (the `usage.reported` consumer); pricing it is the invoicing step's job."""
    data = {"metric": metric, "quantity": quantity, "source_event": source_event, "period_end": period_end}
    return _record(tenant, [("billing.usage_recorded", data)])


def charge(tenant: str, amount: Decimal, currency: str, description: str) -> BillingAccount:
    return _record(tenant, [("billing.charged", {"amount": _money(amount, currency), "description": description})])


def receive_payment(tenant: str, amount: Decimal, currency: str, reference: str) -> BillingAccount:
    data = {"amount": _money(amount, currency), "reference": reference}
    return _record(tenant, [("billing.payment_received", data)])


def credit(tenant: str, amount: Decimal, currency: str, reason: str) -> BillingAccount:
    return _record(tenant, [("billing.credited", {"amount": _money(amount, currency), "reason": reason})])
