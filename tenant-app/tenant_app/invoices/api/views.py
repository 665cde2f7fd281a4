"""An order's invoice as a PDF (GET /api/v1/orders/{id}/invoice.pdf): for the shopper who placed it and for staff
who see orders; issued on the first request once the order is paid, the same invoice every time after."""

from __future__ import annotations

import uuid

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework.request import Request
from rest_framework.views import APIView

from tenant_app.access.permissions import ActionPermission
from tenant_app.access.policy import Context
from tenant_app.api import signed_in_user
from tenant_app.invoices import actions
from tenant_app.invoices.pdf import invoice_pdf
from tenant_app.orders.selectors import visible_orders
from tenantry_kernel.web.openapi import problems


class InvoicePdf(APIView):
    permission_classes = [ActionPermission]
    required_actions = {"GET": "orders.view"}

    @extend_schema(
        summary="Download an order's invoice",
        description="The invoice of a paid order as an A4 PDF in your language, named after its number; the first "
        "download issues it (numbers follow each other without gaps), later ones give the same invoice. An unpaid "
        "order has none (409), another shopper's order is not found.",
        responses={
            (200, "application/pdf"): OpenApiResponse(
                OpenApiTypes.BINARY,
                description="The PDF, as an attachment.",
                examples=[OpenApiExample("A PDF", value="%PDF-1.7 …", media_type="application/pdf")],
            ),
            **problems("order_not_paid"),
        },
    )
    def get(self, request: Request, order_id: uuid.UUID) -> HttpResponse:
        summary = get_object_or_404(visible_orders(request.user, Context.of(request._request)), pk=order_id)
        invoice = actions.issue_invoice(request._request, signed_in_user(request), summary)
        response = HttpResponse(invoice_pdf(invoice), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="invoice-{invoice.display_number}.pdf"'
        return response
