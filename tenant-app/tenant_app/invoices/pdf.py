"""An order's invoice as a PDF: `invoices/invoice.html` rendered in the active language (labels, number formats),
with the figures the invoice was issued with (tenantry_kernel.pdf renders it)."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils import translation

from tenant_app.invoices.models import Invoice
from tenant_app.invoices.selectors import view_of
from tenantry_kernel.pdf import html_to_pdf


def invoice_html(invoice: Invoice) -> str:
    context = {"view": view_of(invoice), "invoice": invoice, "language": translation.get_language() or "en"}
    return render_to_string("invoices/invoice.html", context)


def invoice_pdf(invoice: Invoice, *, compressed: bool = True) -> bytes:
    return html_to_pdf(invoice_html(invoice), compressed=compressed)
