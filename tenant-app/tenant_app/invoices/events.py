"""The invoices' event (registered in tenantry_kernel.events.registry) and its payload builder."""

from __future__ import annotations

from typing import Any

from tenant_app.invoices.models import Invoice
from tenantry_kernel.money import round_money

INVOICE_ISSUED = "invoice.issued"


def invoice_issued(invoice: Invoice) -> dict[str, Any]:
    return {
        "order_id": str(invoice.order_id),
        "number": invoice.number,
        "total": {"amount": format(round_money(invoice.total, invoice.currency), "f"), "currency": invoice.currency},
    }


def subject_of(invoice: Invoice) -> str:
    return f"invoice/{invoice.number}"
