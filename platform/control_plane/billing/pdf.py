"""Invoice PDFs, rendered by WeasyPrint from `billing/invoice.html` (tenantry_kernel.pdf)."""

from __future__ import annotations

from django.conf import settings
from django.template.loader import render_to_string

from control_plane.billing.models import Invoice
from tenantry_kernel.pdf import html_to_pdf


def invoice_html(invoice: Invoice) -> str:
    return render_to_string("billing/invoice.html", {"invoice": invoice, "issuer": settings.BILLING_ISSUER})


def invoice_pdf(invoice: Invoice, *, compressed: bool = True) -> bytes:
    """The invoice as an A4 PDF; `compressed=False` leaves its streams readable (for inspection)."""
    return html_to_pdf(invoice_html(invoice), compressed=compressed)
