"""PDF documents rendered from HTML by WeasyPrint (DejaVu fonts carry € and ₹): the platform's billing invoices and
the stores' order invoices share this."""

from __future__ import annotations


def html_to_pdf(html: str, *, compressed: bool = True) -> bytes:
    """`html` as a PDF (A4 unless its CSS says otherwise); `compressed=False` leaves its streams readable."""
    # Imported on first use: WeasyPrint parses its stylesheets (and logs it) on import, which every
    # process that loads a URLconf would otherwise pay for.
    from weasyprint import HTML

    pdf: bytes = HTML(string=html).write_pdf(uncompressed_pdf=not compressed)
    return pdf
