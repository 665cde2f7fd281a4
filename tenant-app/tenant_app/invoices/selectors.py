"""Reads of invoices: an invoice's figures as its PDF shows them, in the currency's minor units."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from tenant_app.invoices.models import Invoice
from tenantry_kernel.money import round_money


@dataclass(frozen=True)
class InvoiceView:
    invoice: Invoice
    subtotal: Decimal
    tax_total: Decimal
    total: Decimal
    lines: list[dict[str, Any]]
    taxes: list[dict[str, Any]]


def view_of(invoice: Invoice) -> InvoiceView:
    """The invoice with every amount as many decimals as its currency has (ISO 4217: 2 for EUR, 0 for JPY)."""
    currency = invoice.currency

    def rounded(amount: Any) -> Decimal:
        return round_money(Decimal(str(amount)), currency)

    return InvoiceView(
        invoice=invoice,
        subtotal=rounded(invoice.subtotal),
        tax_total=rounded(invoice.tax_total),
        total=rounded(invoice.total),
        lines=[
            {**line, "unit_price": rounded(line["unit_price"]), "amount": rounded(line["amount"])}
            for line in invoice.lines
        ],
        taxes=[{**tax, "amount": rounded(tax["amount"])} for tax in invoice.taxes],
    )
