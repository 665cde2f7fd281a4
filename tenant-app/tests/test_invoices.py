"""Invoices of paid orders on a real tenant: a PDF that really renders (its text read back with pypdf), numbers per
store without gaps even when issued concurrently, issued once per order, for the order's shopper and staff only."""

from __future__ import annotations

import io
import threading
from typing import Any

import pytest
from django.db import connection, transaction
from pypdf import PdfReader

from tenant_app.invoices.models import Invoice, InvoiceCounter
from tenant_app.tenancy.context import tenant_transaction

from .conftest import ShardTenant
from .shop import Store, error, money

ORDERS = "/api/v1/orders/"
HOME = {
    "name": "Erika Mustermann",
    "street_address_1": "Heidestraße 17",
    "city": "Köln",
    "postal_code": "51147",
    "country": "DE",
}


@pytest.fixture
def store(shard: tuple[str, list[ShardTenant]]) -> Store:
    return Store(shard[1][0])


def paid_order(store: Store, who: str, lines: list[tuple[int, int]], total: str, currency: str = "EUR") -> str:
    body = {"lines": [{"product": product, "quantity": quantity} for product, quantity in lines]}
    placed = store.call(who, "post", ORDERS, body)
    assert placed.status_code == 201, placed.content
    order_id: str = placed.json()["id"]
    paid = store.call(
        "manager", "post", f"{ORDERS}{order_id}/pay/", {"amount": money(total, currency), "payment_reference": "p"}
    )
    assert paid.status_code == 200, paid.content
    return order_id


def pdf_text(response: Any) -> str:
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/pdf"
    content = b"".join(response.streaming_content) if response.streaming else response.content
    assert content.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(content))
    assert len(reader.pages) == 1
    return "\n".join(page.extract_text() for page in reader.pages)


def take_a_number_then_fail() -> None:
    with transaction.atomic():
        counter = InvoiceCounter.objects.select_for_update().get(pk=1)
        counter.last_number += 1
        counter.save(update_fields=["last_number"])
        raise RuntimeError("the issue failed half-way")


def invoices(store: Store) -> list[tuple[int, str]]:
    with tenant_transaction(store.tenant.route):
        return [(row.number, str(row.order_id)) for row in Invoice.objects.order_by("number")]


def test_a_paid_orders_invoice_renders_with_seller_buyer_lines_and_totals(store: Store) -> None:
    # given a shopper with a billing address and a paid order of two products
    assert store.call("customer", "post", "/api/v1/me/addresses/", HOME).status_code == 201
    bike, bell = store.product("Bike", "499.90"), store.product("Bell", "5.25")
    order_id = paid_order(store, "customer", [(bike, 1), (bell, 3)], "515.65")

    # when the shopper downloads its invoice
    response = store.call("customer", "get", f"{ORDERS}{order_id}/invoice.pdf")

    # then the PDF states the invoice's number, the store, the buyer, each line and the total
    text = pdf_text(response)
    assert response["Content-Disposition"] == 'attachment; filename="invoice-000001.pdf"'
    assert "Invoice 000001" in text
    assert store.tenant.slug in text
    for expected in ("Erika Mustermann", "Heidestraße 17", "51147 Köln", "customer@example.test"):
        assert expected in text, expected
    for expected in ("Bike", "499.90", "Bell", "5.25", "15.75"):
        assert expected in text, expected
    assert "515.65 EUR" in text
    # and the issue went through the outbox
    issued = [envelope["data"] for envelope in store.outbox() if envelope["type"] == "invoice.issued"]
    assert issued == [{"order_id": order_id, "number": 1, "total": {"amount": "515.65", "currency": "EUR"}}]


def test_an_invoice_is_issued_once_and_numbers_follow_without_gaps(store: Store) -> None:
    bell = store.product("Bell", "5.25")
    first = paid_order(store, "customer", [(bell, 1)], "5.25")
    second = paid_order(store, "other-customer", [(bell, 2)], "10.50")

    again = [store.call(who, "get", f"{ORDERS}{first}/invoice.pdf") for who in ("customer", "manager", "customer")]
    other = store.call("other-customer", "get", f"{ORDERS}{second}/invoice.pdf")

    assert [r["Content-Disposition"] for r in again] == ['attachment; filename="invoice-000001.pdf"'] * 3
    assert other["Content-Disposition"] == 'attachment; filename="invoice-000002.pdf"'
    assert invoices(store) == [(1, first), (2, second)]

    # an issue that rolls back leaves no hole: the next invoice still gets the next number
    third = paid_order(store, "customer", [(bell, 3)], "15.75")
    with tenant_transaction(store.tenant.route), pytest.raises(RuntimeError):
        take_a_number_then_fail()
    store.call("customer", "get", f"{ORDERS}{third}/invoice.pdf")
    assert [number for number, _ in invoices(store)] == [1, 2, 3]


def test_concurrent_downloads_issue_one_invoice_per_order_with_consecutive_numbers(store: Store) -> None:
    bell = store.product("Bell", "5.25")
    orders = [paid_order(store, "customer", [(bell, n + 1)], str(5.25 * (n + 1))) for n in range(3)]
    outcomes: list[Any] = [None] * 6
    start = threading.Barrier(6)

    def download(index: int) -> None:
        try:
            start.wait(timeout=10)
            response = store.call("customer", "get", f"{ORDERS}{orders[index % 3]}/invoice.pdf")
            outcomes[index] = (response.status_code, response["Content-Disposition"])
        except Exception as exc:
            outcomes[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=download, args=(index,)) for index in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)

    assert all(isinstance(outcome, tuple) and outcome[0] == 200 for outcome in outcomes), outcomes
    issued = invoices(store)
    assert sorted(number for number, _ in issued) == [1, 2, 3]
    assert sorted(order for _, order in issued) == sorted(orders)
    # both downloads of an order got the same invoice
    by_order = {order: number for number, order in issued}
    for index, outcome in enumerate(outcomes):
        assert outcome[1] == f'attachment; filename="invoice-{by_order[orders[index % 3]]:06d}.pdf"'


def test_unpaid_and_other_shoppers_orders_have_no_invoice_for_you(store: Store) -> None:
    bell = store.product("Bell", "5.25")
    placed = store.call("customer", "post", ORDERS, {"lines": [{"product": bell, "quantity": 1}]}).json()["id"]
    theirs = paid_order(store, "other-customer", [(bell, 1)], "5.25")

    unpaid = store.call("customer", "get", f"{ORDERS}{placed}/invoice.pdf")
    not_mine = store.call("customer", "get", f"{ORDERS}{theirs}/invoice.pdf")
    anonymous = store.call(None, "get", f"{ORDERS}{theirs}/invoice.pdf")
    unknown = store.call("manager", "get", f"{ORDERS}00000000-0000-4000-8000-000000000000/invoice.pdf")

    assert error(unpaid)[:2] == (409, "order_not_paid")
    assert error(not_mine)[:2] == (404, "not_found")
    assert error(anonymous)[:2] == (401, "not_authenticated")
    assert error(unknown)[:2] == (404, "not_found")
    assert invoices(store) == []
    with tenant_transaction(store.tenant.route):
        assert InvoiceCounter.objects.get(pk=1).last_number == 0


def test_amounts_have_the_currencys_minor_units(store: Store) -> None:
    tea = store.product("Matcha", "1200", "JPY")
    order_id = paid_order(store, "customer", [(tea, 2)], "2400", "JPY")

    text = pdf_text(store.call("customer", "get", f"{ORDERS}{order_id}/invoice.pdf"))

    assert "2400 JPY" in text
    assert "2400.00" not in text
    assert "1200.00" not in text
