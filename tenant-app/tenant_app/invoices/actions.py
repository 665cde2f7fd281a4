"""Issuing an order's invoice: once per paid order, numbered without gaps, with the outbox event and the audit trail.

`issue_invoice` is idempotent: the first call for a paid order issues it, every later one (and a concurrent one,
which waits on the counter's row lock) returns the same invoice. Whoever may see the order may have its invoice
issued and read: the shopper who placed it, and staff with `orders.view`.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext

from tenant_app.access.policy import Context, require
from tenant_app.accounts.models import Address, User
from tenant_app.audit.actions import record_security_event
from tenant_app.audit.models import AuditEventType
from tenant_app.catalog.models import Product
from tenant_app.invoices import events
from tenant_app.invoices.models import Invoice, InvoiceCounter
from tenant_app.orders.models import OrderSummary
from tenant_app.orders.selectors import history_of
from tenantry_kernel.addresses import FIELDS as ADDRESS_FIELDS
from tenantry_kernel.context import current_tenant
from tenantry_kernel.events.outbox import emit
from tenantry_kernel.money import round_money
from tenantry_kernel.web.exceptions import Conflict


def _amount(value: dict[str, Any]) -> Decimal:
    return Decimal(str(value["amount"]))


def _placed_data(summary: OrderSummary) -> dict[str, Any]:
    """The order.placed event's payload: what was ordered, and the taxes if the order states any."""
    placed = next(event for event in history_of(summary) if event.type == "order.placed")
    return dict(placed.data)


def _buyer(customer_id: int) -> dict[str, Any]:
    customer = User.objects.filter(pk=customer_id).first()
    if customer is None:
        return {"name": "", "email": "", "address": None}
    address = (
        Address.objects.filter(owner=customer).order_by("-is_default_billing", "id").values(*ADDRESS_FIELDS).first()
    )
    return {"name": customer.full_name, "email": customer.email, "address": address}


def _lines(data: dict[str, Any], currency: str) -> list[dict[str, Any]]:
    """The order's lines as placed, each named after its product as the catalog names it now (a name the line
    carries itself, where the order states one, comes first)."""
    ids = {str(line["product_id"]) for line in data["lines"]}
    products = Product.objects.filter(pk__in=[int(id_) for id_ in ids if id_.isdigit()]).values_list("pk", "name")
    names = {str(pk): name for pk, name in products}
    lines = []
    for line in data["lines"]:
        unit_price = _amount(line["unit_price"])
        product_id = str(line["product_id"])
        fallback = gettext("Product %(id)s") % {"id": product_id}
        lines.append(
            {
                "product_id": product_id,
                "description": str(line.get("name") or names.get(product_id) or fallback),
                "quantity": int(line["quantity"]),
                "unit_price": str(round_money(unit_price, currency)),
                "amount": str(round_money(unit_price * int(line["quantity"]), currency)),
            }
        )
    return lines


def _taxes(data: dict[str, Any], currency: str) -> list[dict[str, str]]:
    """Taxes as the order's events state them ({"name", "rate", "amount"} each), rounded once to the minor unit."""
    return [
        {
            "name": str(tax.get("name", "")),
            "rate": str(tax.get("rate", "")),
            "amount": str(round_money(_amount(tax["amount"]), currency)),
        }
        for tax in data.get("taxes", [])
    ]


def issue_invoice(request: HttpRequest | None, actor: User, summary: OrderSummary) -> Invoice:
    """The order's invoice, issued now if it has none yet; a never-paid order has none (409 `order_not_paid`)."""
    require(actor, "orders.view", summary, Context.of(request))
    existing = Invoice.objects.filter(order_id=summary.pk).first()
    if existing is not None:
        return existing
    if summary.paid <= 0:
        raise Conflict(
            gettext("Order %(order)s is %(status)s: an invoice is issued once it is paid.")
            % {"order": summary.pk, "status": summary.get_status_display()},
            code="order_not_paid",
        )
    with transaction.atomic():
        counter = InvoiceCounter.objects.select_for_update().get(pk=1)  # one issuer at a time: numbers without gaps
        existing = Invoice.objects.filter(order_id=summary.pk).first()
        if existing is not None:  # issued while we waited for the lock
            return existing
        data = _placed_data(summary)
        currency = summary.currency
        lines = _lines(data, currency)
        taxes = _taxes(data, currency)
        subtotal = round_money(sum((Decimal(line["amount"]) for line in lines), Decimal(0)), currency)
        tax_total = round_money(sum((Decimal(tax["amount"]) for tax in taxes), Decimal(0)), currency)
        # The total is the order's own (it already includes any taxes it states).
        total = round_money(_amount(data["total"]), currency)
        counter.last_number += 1
        counter.save(update_fields=["last_number"])
        invoice = Invoice.objects.create(
            number=counter.last_number,
            order_id=summary.pk,
            customer_id=summary.customer_id,
            issued_at=datetime.now(UTC),
            currency=currency,
            seller={"name": current_tenant() or "", "host": request.get_host() if request is not None else ""},
            buyer=_buyer(summary.customer_id),
            lines=lines,
            taxes=taxes,
            subtotal=subtotal,
            tax_total=tax_total,
            total=total,
        )
        emit(events.INVOICE_ISSUED, events.invoice_issued(invoice), subject=events.subject_of(invoice))
        record_security_event(
            request, AuditEventType.INVOICE_ISSUED, actor=actor, subject=str(summary.pk), number=invoice.number
        )
    return invoice
