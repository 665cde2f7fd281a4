"""Invoices: gapless numbers under concurrency, tax by country, listing and PDF download for owners and billing."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
import stripe
from django.conf import settings
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from control_plane.accounts.models import User
from control_plane.billing.actions import invoices
from control_plane.billing.models import BillingProfile, Invoice, InvoiceSequence, LedgerBalance
from control_plane.billing.pdf import invoice_html, invoice_pdf
from control_plane.tenants.models import Tenant
from tenantry_kernel.testing.problems import problem
from tenantry_kernel.testing.stripe import signed_event
from tests.billing_fixtures import card

MakeStore = Callable[..., tuple[Tenant, User]]
ApiFor = Callable[[User | None], APIClient]


class Rollback(Exception):
    pass


@pytest.mark.django_db(transaction=True)
def test_invoice_numbers_have_no_gaps_or_duplicates_under_concurrency() -> None:
    # Given 12 concurrent issuers, of which every third rolls back after taking a number
    year = timezone.now().year
    committed: list[str] = []
    failures: list[BaseException] = []
    barrier = threading.Barrier(12)

    def issue(index: int) -> None:
        try:
            barrier.wait()
            with transaction.atomic():
                number = invoices._next_invoice_number(year)
                if index % 3 == 0:
                    raise Rollback(number)
            committed.append(number)
        except Rollback:
            pass
        except BaseException as exc:  # surfaced below: a thread's failure must fail the test
            failures.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=issue, args=(index,)) for index in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    # Then the 8 committed numbers are exactly 1..8: a rolled-back number is given out again
    assert failures == []
    assert sorted(committed) == [f"TY-{year}-{n:06d}" for n in range(1, 9)]
    assert InvoiceSequence.objects.get(year=year).last_number == 8


def paid_invoice(api: APIClient, client: stripe.StripeClient, tenant: Tenant, country: str) -> Invoice:
    """Subscribe to starter from `country`, then deliver Stripe's invoice.payment_succeeded for the first invoice."""
    api.post(f"/api/v1/tenants/{tenant.slug}/payment-methods", {"payment_method": card(client)}, format="json")
    subscribed = api.post(
        f"/api/v1/tenants/{tenant.slug}/subscription", {"plan": "starter", "country": country}, format="json"
    )
    assert subscribed.status_code == 200, subscribed.json()
    profile = BillingProfile.objects.get(tenant=tenant)
    stripe_invoice: Any = client.v1.invoices.retrieve(
        client.v1.subscriptions.retrieve(profile.subscription_id)["latest_invoice"]
    )
    body, signature = signed_event(
        "invoice.payment_succeeded", stripe_invoice.to_dict(), settings.STRIPE_WEBHOOK_SECRET, event_id="evt_paid_1"
    )
    delivered = APIClient().post(
        "/api/v1/billing/stripe/webhook", body, content_type="application/json", HTTP_STRIPE_SIGNATURE=signature
    )
    assert delivered.status_code == 200, delivered.json()
    return Invoice.objects.get(stripe_invoice_id=stripe_invoice["id"])


@pytest.mark.django_db
def test_a_paid_stripe_invoice_becomes_a_taxed_numbered_invoice_in_the_ledger(
    make_store: MakeStore, api_for: ApiFor, stripe_standin: stripe.StripeClient
) -> None:
    tenant, owner = make_store()

    invoice = paid_invoice(api_for(owner), stripe_standin, tenant, "DE")

    assert re.fullmatch(rf"TY-{timezone.now().year}-000001", invoice.number)
    assert invoice.status == "paid"
    assert (invoice.subtotal, invoice.tax_percentage, invoice.tax_amount, invoice.total) == (
        Decimal("29.00"), Decimal("19.000"), Decimal("5.51"), Decimal("34.51"),
    )  # fmt: skip
    assert invoice.lines == [{"description": "Tenantry Starter", "amount": "29.00"}]
    # Charged and paid: nothing owed.
    assert LedgerBalance.objects.get(tenant="acme", currency="EUR").balance == 0


@pytest.mark.django_db
def test_a_country_without_a_rate_is_invoiced_without_tax(
    make_store: MakeStore, api_for: ApiFor, stripe_standin: stripe.StripeClient
) -> None:
    tenant, owner = make_store()

    invoice = paid_invoice(api_for(owner), stripe_standin, tenant, "ZZ")

    assert (invoice.tax_name, invoice.tax_amount, invoice.total) == ("", Decimal("0.00"), Decimal("29.00"))


@pytest.mark.django_db
def test_owners_and_billing_members_list_and_download_invoices(
    make_store: MakeStore,
    store_member: Callable[[Tenant, str], User],
    api_for: ApiFor,
    stripe_standin: stripe.StripeClient,
) -> None:
    tenant, owner = make_store()
    invoice = paid_invoice(api_for(owner), stripe_standin, tenant, "DE")
    billing = store_member(tenant, "billing")
    admin = store_member(tenant, "admin")
    _, other_owner = make_store("globex")

    with CaptureQueriesContext(connection) as one:
        listed = api_for(billing).get("/api/v1/tenants/acme/invoices/")
    download = api_for(billing).get(f"/api/v1/tenants/acme/invoices/{invoice.number}/pdf")

    assert listed.status_code == 200
    [row] = listed.json()["results"]
    assert (row["number"], row["status"], row["total"], row["tax_amount"]) == (invoice.number, "paid", "34.51", "5.51")
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"] == f'attachment; filename="{invoice.number}.pdf"'
    assert download.content.startswith(b"%PDF-")
    denied = api_for(admin).get(f"/api/v1/tenants/acme/invoices/{invoice.number}/pdf")
    assert (denied.status_code, problem(denied)["code"]) == (403, "permission_denied")
    # Another tenant's owner cannot reach it, through their own tenant or this one.
    assert api_for(other_owner).get(f"/api/v1/tenants/globex/invoices/{invoice.number}/pdf").status_code == 404
    assert api_for(other_owner).get(f"/api/v1/tenants/acme/invoices/{invoice.number}/pdf").status_code == 404
    # The list costs the same queries for one invoice as for many.
    for n in range(2, 6):
        Invoice.objects.create(
            number=f"TY-2000-{n:06d}", tenant=tenant, stripe_invoice_id=f"in_more_{n}", issued_at=timezone.now(),
            currency="EUR", subtotal=1, tax_amount=0, total=1,
        )  # fmt: skip
    with CaptureQueriesContext(connection) as five:
        assert len(api_for(billing).get("/api/v1/tenants/acme/invoices/").json()["results"]) == 5
    assert len(five.captured_queries) == len(one.captured_queries)
    # Newest first, in cursor pages.
    first = api_for(billing).get("/api/v1/tenants/acme/invoices/", {"page_size": 3})
    rest = api_for(billing).get(first.json()["next"])
    numbers = [row["number"] for row in [*first.json()["results"], *rest.json()["results"]]]
    assert numbers == [f"TY-2000-{n:06d}" for n in range(5, 1, -1)] + [invoice.number]
    assert rest.json()["next"] is None


@pytest.mark.django_db
def test_the_invoice_pdf_is_one_a4_page_with_the_number_tax_and_total(
    make_store: MakeStore, api_for: ApiFor, stripe_standin: stripe.StripeClient
) -> None:
    tenant, owner = make_store()
    invoice = paid_invoice(api_for(owner), stripe_standin, tenant, "DE")

    html = invoice_html(invoice)
    pdf = invoice_pdf(invoice, compressed=False)

    assert f"Invoice {invoice.number}" in html
    assert "USt 19% (DE)" in html
    assert "34.51 EUR" in html
    assert f"/Title (Invoice {invoice.number})".encode() in pdf
    assert len(re.findall(rb"/Type /Page\b", pdf)) == 1
    assert b"/MediaBox [0 0 595" in pdf  # A4: 595 x 842 points
