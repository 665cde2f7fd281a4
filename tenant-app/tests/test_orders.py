"""The order ledger on real tenants: replay equals the live projection, concurrent appends give one conflict,
snapshots load as the full stream does, invalid steps have exact codes, customers see only their orders."""

from __future__ import annotations

import threading
from decimal import Decimal
from io import StringIO
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tenant_app.access.policy import Denied
from tenant_app.orders import actions
from tenant_app.orders.ledger import Order, OrderProjection, orders
from tenant_app.orders.models import OrderSummary
from tenant_app.tenancy.context import as_tenant, tenant_transaction
from tenantry_kernel.events.envelope import Event
from tenantry_kernel.events.models import Snapshot, StoredEvent
from tenantry_kernel.events.registry import registry
from tenantry_kernel.events.store import Repository, StreamConflict
from tenantry_kernel.testing.problems import field_errors, problem

from .conftest import ShardTenant
from .shop import Store, error, money


@pytest.fixture
def store(shard: tuple[str, list[ShardTenant]]) -> Store:
    return Store(shard[1][0])


@pytest.fixture
def products(store: Store) -> dict[str, int]:
    """Published products: two in EUR, one in USD, and an unpublished one."""
    return {
        "bike": store.product("Bike", "499.90"),
        "bell": store.product("Bell", "5.25"),
        "helmet": store.product("Helmet", "39.00", "USD"),
        "draft": store.product("Prototype", "1.00", published=False),
    }


def place(store: Store, who: str, *lines: tuple[int, int]) -> dict[str, Any]:
    body = {"lines": [{"product": product, "quantity": quantity} for product, quantity in lines]}
    response = store.call(who, "post", "/api/v1/orders/", body)
    assert response.status_code == 201, response.content
    order: dict[str, Any] = response.json()
    assert response["Location"] == f"/api/v1/orders/{order['id']}/"
    return order


def step(store: Store, order_id: str, verb: str, body: dict[str, Any], who: str = "manager") -> Any:
    return store.call(who, "post", f"/api/v1/orders/{order_id}/{verb}/", body)


def summaries(store: Store) -> list[dict[str, Any]]:
    with tenant_transaction(store.tenant.route):
        return [dict(row) for row in OrderSummary.objects.order_by("id").values()]


# ---- The happy path, REST ----------------------------------------------------------------


def test_an_order_is_placed_paid_refunded_and_cancelled_with_its_history(
    store: Store, products: dict[str, int]
) -> None:
    placed = place(store, "customer", (products["bike"], 2), (products["bell"], 3))
    order_id = placed["id"]
    paid = step(store, order_id, "pay", {"amount": money("1015.55"), "payment_reference": "psp-123"})
    part = step(store, order_id, "refund", {"amount": money("15.55"), "reason": "bells returned"})
    rest = step(store, order_id, "refund", {"amount": money("1000"), "expected_version": 3})
    cancelled = step(store, order_id, "cancel", {"reason": "customer changed their mind"})
    seen = store.call("customer", "get", f"/api/v1/orders/{order_id}/")

    assert placed["status"] == "placed"
    assert placed["customer"] == store.ids["customer"]
    assert placed["total"] == {"amount": "1015.55", "currency": "EUR"}
    assert placed["lines"] == [
        {"product_id": str(products["bike"]), "quantity": 2, "unit_price": {"amount": "499.90", "currency": "EUR"}},
        {"product_id": str(products["bell"]), "quantity": 3, "unit_price": {"amount": "5.25", "currency": "EUR"}},
    ]
    assert [r.status_code for r in (paid, part, rest, cancelled)] == [200, 200, 200, 200]
    assert (paid.json()["status"], paid.json()["paid"]["amount"], paid.json()["version"]) == ("paid", "1015.55", 2)
    assert (part.json()["status"], part.json()["refunded"]["amount"]) == ("partially_refunded", "15.55")
    assert (rest.json()["status"], rest.json()["refunded"]["amount"]) == ("refunded", "1015.55")
    body = seen.json()
    assert (body["status"], body["version"]) == ("cancelled", 5)
    assert [(e["version"], e["type"]) for e in body["history"]] == [
        (1, "order.placed"),
        (2, "order.paid"),
        (3, "order.refunded"),
        (4, "order.refunded"),
        (5, "order.cancelled"),
    ]
    assert [e["actor"] for e in body["history"]] == [store.ids["customer"]] + [store.ids["manager"]] * 4
    assert body["history"][1]["data"] == {
        "order_id": order_id,
        "amount": {"amount": "1015.55", "currency": "EUR"},
        "payment_reference": "psp-123",
    }
    assert body["placed_at"] == body["history"][0]["occurred_at"]
    assert body["updated_at"] == body["history"][4]["occurred_at"]


def test_each_order_step_emits_its_event_through_the_outbox(store: Store, products: dict[str, int]) -> None:
    before = len(store.outbox())
    order_id = place(store, "customer", (products["bell"], 1))["id"]
    step(store, order_id, "pay", {"amount": money("5.25"), "payment_reference": "psp-1"})
    step(store, order_id, "refund", {"amount": money("5.25")})
    step(store, order_id, "cancel", {})

    envelopes = store.outbox()[before:]
    events = [Event.from_dict(envelope) for envelope in envelopes]
    assert [event.type for event in events] == ["order.placed", "order.paid", "order.refunded", "order.cancelled"]
    for event in events:
        registry.get(event.type).validate(event.data)
        assert (event.tenant, event.subject) == (store.tenant.slug, f"order/{order_id}")
        assert event.routing_key == f"{store.tenant.slug}.{event.type}"
    # The outbox carries what the stream holds.
    with tenant_transaction(store.tenant.route):
        stored = list(StoredEvent.objects.filter(stream_id=f"order-{order_id}").order_by("version"))
    assert [row.data for row in stored] == [event.data for event in events]


# ---- Replay equals the live projection ---------------------------------------------------


def test_replaying_the_ledger_equals_the_live_projection(store: Store, products: dict[str, int]) -> None:
    # Given orders in every state, kept live by the actions
    euros = [products["bike"], products["bell"]]
    for n in range(12):
        who = "customer" if n % 2 else "other-customer"
        order = place(store, who, (euros[n % 2], n + 1))
        total = order["total"]
        if n % 4 == 0:
            step(store, order["id"], "cancel", {"reason": "out of stock"})
        if n % 4 >= 1:
            step(store, order["id"], "pay", {"amount": total, "payment_reference": f"psp-{n}"})
        if n % 4 >= 2:
            step(store, order["id"], "refund", {"amount": money("1.00")})
        if n % 4 == 3:
            refundable = Decimal(total["amount"]) - 1
            step(store, order["id"], "refund", {"amount": money(str(refundable))})
            step(store, order["id"], "cancel", {})
    place(store, "customer", (products["helmet"], 2))
    live = summaries(store)
    assert {row["status"] for row in live} == {"placed", "paid", "partially_refunded", "cancelled"}

    # When the projection is damaged and then rebuilt from the events
    with tenant_transaction(store.tenant.route):
        OrderSummary.objects.filter(status="cancelled").delete()
        OrderSummary.objects.update(total=0, version=99)
        replayed = OrderProjection().replay()
        events_in_store = StoredEvent.objects.filter(stream_id__startswith="order-").count()

    # Then it equals the live one, row for row
    assert replayed == events_in_store
    assert summaries(store) == live


def test_the_rebuild_command_replays_each_named_tenant(
    shard: tuple[str, list[ShardTenant]], store: Store, products: dict[str, int]
) -> None:
    order = place(store, "customer", (products["bike"], 1))
    step(store, order["id"], "pay", {"amount": order["total"], "payment_reference": "psp-9"})
    live = summaries(store)
    with tenant_transaction(store.tenant.route):
        OrderSummary.objects.all().delete()
    output = StringIO()

    call_command("rebuild_order_projection", tenant=[store.tenant.slug], stdout=output)

    assert summaries(store) == live
    assert output.getvalue().startswith(f"{store.tenant.slug}: 2 events replayed into 1 orders in ")


# ---- Optimistic concurrency --------------------------------------------------------------


def race(tenant: str, order_id: str, moves: list[Any]) -> list[Any]:
    """Run each move on its own thread and connection against the order as loaded by all of them first."""
    loaded = threading.Barrier(len(moves))
    outcomes: list[Any] = [None] * len(moves)

    def run(index: int) -> None:
        try:
            with as_tenant(tenant):
                order = orders.load(order_id)
                assert order is not None
                loaded.wait(timeout=10)  # nobody appends before everybody has read the same version
                moves[index](order)
                recorded = orders.save(order)
                OrderProjection().handle(recorded)
                outcomes[index] = order.version
        except Exception as exc:
            outcomes[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(index,)) for index in range(len(moves))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not any(thread.is_alive() for thread in threads)
    return outcomes


def test_concurrent_appends_to_one_order_give_exactly_one_conflict(store: Store, products: dict[str, int]) -> None:
    order = place(store, "customer", (products["bell"], 2))
    metadata = {"actor_id": store.ids["manager"], "occurred_at": "2026-01-01T00:00:00+00:00"}

    outcomes = race(
        store.tenant.slug,
        order["id"],
        [
            lambda o: o.pay(Decimal("10.50"), "EUR", "psp-a", metadata),
            lambda o: o.cancel("too slow", metadata),
        ],
    )

    winners = [outcome for outcome in outcomes if outcome == 2]
    losers = [outcome for outcome in outcomes if isinstance(outcome, StreamConflict)]
    assert (len(winners), len(losers)) == (1, 1), outcomes
    [conflict] = losers
    assert (conflict.status_code, conflict.get_codes()) == (409, "stream_conflict")
    assert conflict.stream_id == f"order-{order['id']}"
    assert conflict.expected_version == 1
    with tenant_transaction(store.tenant.route):
        versions = list(StoredEvent.objects.filter(stream_id=f"order-{order['id']}").values_list("version", "type"))
        summary = OrderSummary.objects.get(pk=order["id"])
    assert len(versions) == 2
    assert (summary.version, summary.status) == (2, "paid" if versions[1][1] == "order.paid" else "cancelled")


def test_a_stale_expected_version_is_a_409_stream_conflict(store: Store, products: dict[str, int]) -> None:
    order = place(store, "customer", (products["bell"], 1))
    step(store, order["id"], "pay", {"amount": money("5.25"), "payment_reference": "psp-1", "expected_version": 1})

    stale = step(store, order["id"], "refund", {"amount": money("1.00"), "expected_version": 1})

    assert error(stale)[:2] == (409, "stream_conflict")
    assert problem(stale)["detail"] == (
        f"order-{order['id']} changed since version 1 was read; reload it and try again."
    )
    assert store.call("manager", "get", f"/api/v1/orders/{order['id']}/").json()["version"] == 2


# ---- Snapshots ---------------------------------------------------------------------------


class UnsnapshottedOrder(Order):
    snapshot_every = 0


def test_a_snapshot_is_taken_and_loading_from_it_equals_loading_every_event(
    store: Store, products: dict[str, int]
) -> None:
    order = place(store, "customer", (products["bike"], 1))
    step(store, order["id"], "pay", {"amount": order["total"], "payment_reference": "psp-1"})
    for _ in range(19):  # version 21: a snapshot at 20
        assert step(store, order["id"], "refund", {"amount": money("1.00")}).status_code == 200

    with tenant_transaction(store.tenant.route):
        snapshot = Snapshot.objects.get(stream_id=f"order-{order['id']}")
        from_snapshot = orders.load(order["id"])
        from_scratch = Repository(UnsnapshottedOrder).load(order["id"])
        # A doctored snapshot shows through: loading really starts from it.
        Snapshot.objects.filter(pk=snapshot.pk).update(state={**snapshot.state, "customer_id": "doctored"})
        doctored = orders.load(order["id"])

    assert snapshot.version == 20
    assert snapshot.state["refunded"] == "18.00"
    assert from_snapshot is not None
    assert from_scratch is not None
    assert (from_snapshot.version, from_snapshot.snapshot()) == (21, from_scratch.snapshot())
    assert from_snapshot.snapshot()["refunded"] == "19.00"
    assert from_snapshot.status == "partially_refunded"
    assert doctored is not None
    assert doctored.customer_id == "doctored"


# ---- Invalid steps -----------------------------------------------------------------------


def test_steps_the_order_does_not_allow_are_refused_with_codes(store: Store, products: dict[str, int]) -> None:
    order_id = place(store, "customer", (products["bell"], 2))["id"]
    paid_id = place(store, "customer", (products["bell"], 1))["id"]
    step(store, paid_id, "pay", {"amount": money("5.25"), "payment_reference": "psp-1"})

    refund_unpaid = step(store, order_id, "refund", {"amount": money("1.00")})
    pay_too_little = step(store, order_id, "pay", {"amount": money("10.00"), "payment_reference": "psp-2"})
    pay_in_dollars = step(store, order_id, "pay", {"amount": money("10.50", "USD"), "payment_reference": "psp-2"})
    pay_twice = step(store, paid_id, "pay", {"amount": money("5.25"), "payment_reference": "psp-3"})
    cancel_paid = step(store, paid_id, "cancel", {})
    refund_too_much = step(store, paid_id, "refund", {"amount": money("5.26")})
    refund_nothing = step(store, paid_id, "refund", {"amount": money("0")})
    no_reference = step(store, order_id, "pay", {"amount": money("10.50")})
    bad_version = step(store, order_id, "cancel", {"expected_version": 0})
    cancelled = step(store, order_id, "cancel", {"reason": "changed my mind"})
    cancel_twice = step(store, order_id, "cancel", {})
    pay_cancelled = step(store, order_id, "pay", {"amount": money("10.50"), "payment_reference": "psp-4"})

    assert error(refund_unpaid)[:2] == (409, "order_not_refundable")
    assert error(pay_too_little) == (400, "invalid", {"/amount": ["The payment must be the outstanding 10.50 EUR."]})
    assert error(pay_in_dollars)[:2] == (400, "invalid")
    assert error(pay_twice)[:2] == (409, "order_not_payable")
    assert error(cancel_paid)[:2] == (409, "order_not_cancellable")
    assert problem(cancel_paid)["detail"] == (
        f"Order {paid_id} is paid; cancel before payment, or after refunding all of it."
    )
    refund_message = "A refund is more than 0 and at most the 5.25 EUR paid and not refunded."
    assert error(refund_too_much) == (400, "invalid", {"/amount": [refund_message]})
    assert error(refund_nothing) == (400, "invalid", {"/amount": [refund_message]})
    assert error(no_reference) == (400, "invalid", {"/payment_reference": ["This field is required."]})
    assert error(bad_version)[:2] == (400, "invalid")
    assert cancelled.status_code == 200
    assert error(cancel_twice)[:2] == (409, "order_not_cancellable")
    assert error(pay_cancelled)[:2] == (409, "order_not_payable")
    # Nothing refused reached the ledger.
    with tenant_transaction(store.tenant.route):
        assert StoredEvent.objects.filter(stream_id=f"order-{order_id}").count() == 2
        assert StoredEvent.objects.filter(stream_id=f"order-{paid_id}").count() == 2


NOT_FOR_SALE = "No product with the id {id} is for sale; pick a published product."
ONE_CURRENCY = "All products of one order must be priced in one currency; place one order per currency."


@pytest.mark.parametrize(
    ("lines", "fields"),
    [
        ([("draft", 1)], {"/lines/0/product": [NOT_FOR_SALE.replace("{id}", "{draft}")]}),
        ([("bike", 1), (None, 1)], {"/lines/1/product": [NOT_FOR_SALE.format(id=999999)]}),
        ([("bike", 1), ("bike", 2)], {"/lines/1/product": ["List each product once, with its quantity."]}),
        ([("bike", 1), ("helmet", 1)], {"/lines": [ONE_CURRENCY]}),
        ([("bike", 0)], {"/lines/0/quantity": ["Ensure this value is greater than or equal to 1."]}),
        ([], {"/lines": ["This list may not be empty."]}),
    ],
)
def test_a_bad_order_is_refused_with_field_errors(
    store: Store, products: dict[str, int], lines: list[tuple[str | None, int]], fields: dict[str, list[str]]
) -> None:
    body = {"lines": [{"product": products[name] if name else 999999, "quantity": n} for name, n in lines]}

    refused = store.call("customer", "post", "/api/v1/orders/", body)

    expected = {key: [m.format(draft=products["draft"]) for m in messages] for key, messages in fields.items()}
    assert error(refused) == (400, "invalid", expected)
    assert summaries(store) == []
    assert [envelope["type"] for envelope in store.outbox() if envelope["type"].startswith("order.")] == []


def test_an_order_too_large_for_the_ledger_is_refused(store: Store) -> None:
    yacht = store.product("Yacht", "9999999999.99")

    refused = store.call("customer", "post", "/api/v1/orders/", {"lines": [{"product": yacht, "quantity": 101}]})

    assert error(refused)[:2] == (400, "invalid")
    assert "exceeds 999999999999.99" in field_errors(refused)["/lines"][0]


# ---- Who sees and does what --------------------------------------------------------------


def test_customers_see_only_their_own_orders(
    shard: tuple[str, list[ShardTenant]], store: Store, products: dict[str, int]
) -> None:
    mine = place(store, "customer", (products["bike"], 1))["id"]
    theirs = place(store, "other-customer", (products["bell"], 1))["id"]
    bravo = Store(shard[1][1])

    def listed(who: str, query: str = "", on: Store = store) -> list[str]:
        response = on.call(who, "get", f"/api/v1/orders/{query}")
        assert response.status_code == 200, response.content
        return [order["id"] for order in response.json()["results"]]

    assert listed("customer") == [mine]
    assert listed("other-customer") == [theirs]
    assert listed("staff") == [theirs, mine]  # newest first
    assert listed("manager", f"?customer={store.ids['customer']}") == [mine]
    assert listed("manager", "?status=placed") == [theirs, mine]
    assert listed("manager", "?status=paid") == []
    assert listed("manager", on=bravo) == []
    assert error(store.call("customer", "get", f"/api/v1/orders/{theirs}/"))[:2] == (404, "not_found")
    assert error(bravo.call("manager", "get", f"/api/v1/orders/{mine}/"))[:2] == (404, "not_found")
    assert error(store.call("manager", "get", "/api/v1/orders/?status=lost"))[:2] == (400, "invalid")


def test_only_those_with_the_permission_record_payments_refunds_and_cancellations(
    store: Store, products: dict[str, int]
) -> None:
    order_id = place(store, "customer", (products["bell"], 1))["id"]

    by_customer = step(store, order_id, "pay", {"amount": money("5.25"), "payment_reference": "x"}, who="customer")
    by_staff = step(store, order_id, "cancel", {}, who="staff")
    placed_by_staff = store.call(
        "staff", "post", "/api/v1/orders/", {"lines": [{"product": products["bell"], "quantity": 1}]}
    )
    anonymous = store.call(None, "get", "/api/v1/orders/")

    assert error(by_customer)[:2] == (403, "forbidden")
    assert "orders.pay (no_permission)" in problem(by_customer)["detail"]
    assert error(by_staff)[:2] == (403, "forbidden")
    assert error(placed_by_staff)[:2] == (403, "forbidden")
    assert error(anonymous)[:2] == (401, "not_authenticated")
    assert store.call("manager", "get", f"/api/v1/orders/{order_id}/").json()["version"] == 1


def test_actions_refuse_what_the_policy_engine_refuses(store: Store, products: dict[str, int]) -> None:
    order_id = place(store, "other-customer", (products["bell"], 1))["id"]

    with tenant_transaction(store.tenant.route):
        summary = OrderSummary.objects.get(pk=order_id)
        customer = store.user("customer")
        with pytest.raises(Denied) as refused:
            actions.cancel_order(None, customer, summary)
        with pytest.raises(Denied) as refunded:
            actions.refund_order(None, customer, summary, amount=Decimal("5.25"), currency="EUR")

    assert "orders.cancel here (not_allowed_by_policy:customers-cancel-own-unpaid-orders)" in str(refused.value.detail)
    assert "orders.refund here (no_permission)" in str(refunded.value.detail)


# ---- Lists stay cheap --------------------------------------------------------------------


def test_listing_orders_takes_the_same_queries_for_few_and_many(store: Store, products: dict[str, int]) -> None:
    def queries_for_list(who: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert store.call(who, "get", "/api/v1/orders/").status_code == 200
        return len(captured)

    place(store, "customer", (products["bell"], 1))
    few = [queries_for_list("manager"), queries_for_list("customer")]
    for n in range(8):
        place(store, "customer" if n % 2 else "other-customer", (products["bike"], n + 1))

    assert [queries_for_list("manager"), queries_for_list("customer")] == few


def test_orders_page_by_cursor_newest_first(store: Store, products: dict[str, int]) -> None:
    placed = [place(store, "customer", (products["bell"], n + 1))["id"] for n in range(5)]

    first = store.call("customer", "get", "/api/v1/orders/?page_size=2").json()
    following = urlsplit(first["next"])
    second = store.call("customer", "get", f"{following.path}?{following.query}").json()

    assert [o["id"] for o in first["results"] + second["results"]] == list(reversed(placed))[:4]
