"""Invoice PDFs, rendered by WeasyPrint from `billing/invoice.html` (DejaVu fonts carry € and ₹)."""

from __future__ import annotations

from django.conf import settings
from django.template.loader import render_to_string

from control_plane.billing.models import Invoice


def invoice_html(invoice: Invoice) -> str:
    return render_to_string("billing/invoice.html", {"invoice": invoice, "issuer": settings.BILLING_ISSUER})


def invoice_pdf(invoice: Invoice, *, compressed: bool = True) -> bytes:
    """The invoice as an A4 PDF; `compressed=False` leaves its streams readable (for inspection)."""
    # Imported on first use: WeasyPrint parses its stylesheets (and logs it) on import, which every
    # process that loads the URLconf would otherwise pay for.
    from weasyprint import HTML

    pdf: bytes = HTML(string=invoice_html(invoice)).write_pdf(uncompressed_pdf=not compressed)
    return pdf
