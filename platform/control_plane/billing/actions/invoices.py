"""The platform's own invoices for Stripe's: numbered without gaps, taxed by the billing country, charged to
the ledger when issued and paid into it when Stripe says they are paid."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from control_plane.audit.actions import record as record_audit
from control_plane.billing import stripe_api
from control_plane.billing.actions.ledger import charge, receive_payment
from control_plane.billing.models import BillingProfile, Invoice, InvoiceSequence, InvoiceStatus, TaxRate


def tax_rate_for(profile: BillingProfile) -> TaxRate | None:
    if not profile.country:
        return None
    return TaxRate.objects.filter(country=profile.country).first()


def tax(subtotal: Decimal, rate: TaxRate | None) -> Decimal:
    if rate is None:
        return Decimal("0.00")
    return (subtotal * rate.percentage / 100).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def invoice_line(line: Any, currency: str) -> dict[str, str]:
    """One line of a Stripe invoice (or preview) as the platform shows it."""
    return {
        "description": line.get("description") or "",
        "amount": f"{stripe_api.from_minor(line['amount'], currency):.2f}",
    }


def _next_invoice_number(year: int) -> str:
    """Allocate the year's next number under a row lock: concurrent issuers wait, a rollback gives it back."""
    InvoiceSequence.objects.get_or_create(year=year)
    sequence = InvoiceSequence.objects.select_for_update().get(year=year)
    sequence.last_number += 1
    sequence.save(update_fields=["last_number"])
    return f"TY-{year}-{sequence.last_number:06d}"


def _timestamp(value: Any) -> datetime | None:
    return datetime.fromtimestamp(value, tz=UTC) if value else None


def issue_invoice(profile: BillingProfile, stripe_invoice: dict[str, Any]) -> Invoice:
    """The platform invoice for a Stripe invoice: issued once (by Stripe's id), charged to the ledger."""
    existing = Invoice.objects.filter(stripe_invoice_id=stripe_invoice["id"]).first()
    if existing is not None:
        return existing
    with transaction.atomic():
        tenant = profile.tenant
        currency = str(stripe_invoice["currency"]).upper()
        subtotal = stripe_api.from_minor(stripe_invoice["subtotal"], currency)
        rate = tax_rate_for(profile)
        tax_amount = tax(subtotal, rate)
        issued_at = timezone.now()
        invoice = Invoice.objects.create(
            number=_next_invoice_number(issued_at.year),
            tenant=tenant,
            stripe_invoice_id=stripe_invoice["id"],
            issued_at=issued_at,
            period_start=_timestamp(stripe_invoice.get("period_start")),
            period_end=_timestamp(stripe_invoice.get("period_end")),
            currency=currency,
            subtotal=subtotal,
            tax_name=rate.name if rate else "",
            tax_country=rate.country if rate else "",
            tax_percentage=rate.percentage if rate else Decimal(0),
            tax_amount=tax_amount,
            total=subtotal + tax_amount,
            lines=[invoice_line(line, currency) for line in stripe_invoice["lines"]["data"]],
            bill_to={
                "name": tenant.name,
                "slug": tenant.slug,
                "email": stripe_invoice.get("customer_email") or "",
                "country": profile.country,
            },
        )
        charge(tenant.slug, invoice.total, currency, f"Invoice {invoice.number}")
        record_audit("billing.invoice_issued", tenant=tenant.slug, target=invoice, data={"number": invoice.number},
                     source="stripe")  # fmt: skip
    return invoice


def mark_paid(profile: BillingProfile, invoice: Invoice, stripe_invoice: dict[str, Any]) -> Invoice:
    """The invoice paid (once, under its row lock) and the payment received in the ledger; the locked row."""
    locked = Invoice.objects.select_for_update().get(pk=invoice.pk)
    if locked.status != InvoiceStatus.PAID:
        locked.status = InvoiceStatus.PAID
        locked.paid_at = _timestamp((stripe_invoice.get("status_transitions") or {}).get("paid_at")) or timezone.now()
        locked.save(update_fields=["status", "paid_at"])
        receive_payment(profile.tenant.slug, locked.total, locked.currency, stripe_invoice["id"])
    return locked
