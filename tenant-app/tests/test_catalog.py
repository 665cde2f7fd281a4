"""The catalog on real tenants: each action emits exactly one CloudEvent through the outbox, atomically, in its
tenant's schema; the policy engine guards REST and GraphQL alike; errors come with exact codes."""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from strawberry import relay

from tenant_app.audit.models import AuditEvent
from tenant_app.catalog import actions
from tenant_app.catalog.models import Product
from tenant_app.notifications.models import Notification
from tenant_app.tenancy.context import tenant_transaction
from tenantry_kernel.events.envelope import Event
from tenantry_kernel.events.models import OutboxEvent
from tenantry_kernel.events.registry import registry
from tenantry_kernel.testing.problems import field_errors, problem

from .conftest import ShardTenant
from .shop import MEMBERS, STAFF_LOCATION, Store, error

MEMBER_EMAILS = {f"{name}@example.test": role for name, role in MEMBERS.items()}

BIKE = {"name": "Bike", "description": "Two wheels.", "price": {"amount": "499.90", "currency": "EUR"}}


@pytest.fixture
def store(shard: tuple[str, list[ShardTenant]]) -> Store:
    return Store(shard[1][0])


def check_envelope(store: Store, envelope: dict[str, Any], type_name: str, product_id: int) -> Event:
    """A valid Tenantry CloudEvent of `type_name` about the product, for this store."""
    event = Event.from_dict(envelope)
    registry.get(type_name).validate(event.data)
    assert envelope["specversion"] == "1.0"
    assert (event.type, event.tenant, event.subject) == (type_name, store.tenant.slug, f"product/{product_id}")
    assert event.routing_key == f"{store.tenant.slug}.{type_name}"
    assert event.source == "/tenant-app"
    assert event.dataschema == f"urn:tenantry:event:{type_name}:v1"
    assert event.data["product_id"] == str(product_id)
    return event


# ---- One event per action, in the outbox --------------------------------------------------


def test_each_catalog_action_writes_exactly_one_outbox_event(store: Store) -> None:
    created = store.call("manager", "post", "/api/v1/products/", {**BIKE, "location": "north"})
    product_id = created.json()["id"]
    after_create = store.outbox()
    updated = store.call(
        "manager", "patch", f"/api/v1/products/{product_id}/", {"price": {"amount": "450", "currency": "EUR"}}
    )
    after_update = store.outbox()
    published = store.call("manager", "post", f"/api/v1/products/{product_id}/publish/")
    after_publish = store.outbox()
    unpublished = store.call("manager", "post", f"/api/v1/products/{product_id}/unpublish/")
    after_unpublish = store.outbox()

    assert [r.status_code for r in (created, updated, published, unpublished)] == [201, 200, 200, 200]
    assert [len(rows) for rows in (after_create, after_update, after_publish, after_unpublish)] == [1, 2, 3, 4]
    made = check_envelope(store, after_create[0], "catalog.product.created", product_id)
    assert made.data == {
        "product_id": str(product_id),
        "name": "Bike",
        "description": "Two wheels.",
        "price": {"amount": "499.90", "currency": "EUR"},
        "published": False,
    }
    changed = check_envelope(store, after_update[1], "catalog.product.updated", product_id)
    assert changed.data["price"] == {"amount": "450.00", "currency": "EUR"}
    shown = check_envelope(store, after_publish[2], "catalog.product.published", product_id)
    assert shown.data["published"] is True
    assert shown.data["published_at"] == published.json()["published_at"].replace("Z", "+00:00")
    withdrawn = check_envelope(store, after_unpublish[3], "catalog.product.unpublished", product_id)
    assert withdrawn.data == {"product_id": str(product_id)}
    assert (unpublished.json()["published"], unpublished.json()["published_at"]) == (False, None)
    # Each action is audited too, with who did it.
    with tenant_transaction(store.tenant.route):
        audited = list(AuditEvent.objects.filter(subject=f"product/{product_id}").order_by("id"))
    assert [(a.type, a.actor_id) for a in audited] == [
        (kind, store.ids["manager"])
        for kind in ("product_created", "product_updated", "product_published", "product_unpublished")
    ]
    assert audited[1].details["changes"] == {"price_amount": {"from": "499.90", "to": "450.00"}}


def test_publishing_twice_emits_one_event_and_repeating_a_change_emits_none(store: Store) -> None:
    product_id = store.product("Bike", "499.90", published=False)
    before = len(store.outbox())

    first = store.call("manager", "post", f"/api/v1/products/{product_id}/publish/")
    second = store.call("manager", "post", f"/api/v1/products/{product_id}/publish/")
    same_name = store.call("manager", "patch", f"/api/v1/products/{product_id}/", {"name": "Bike"})
    store.call("manager", "post", f"/api/v1/products/{product_id}/unpublish/")
    store.call("manager", "post", f"/api/v1/products/{product_id}/unpublish/")

    assert (first.status_code, second.status_code, same_name.status_code) == (200, 200, 200)
    assert second.json()["published_at"] == first.json()["published_at"]  # unchanged by the repeat
    assert [envelope["type"] for envelope in store.outbox()[before:]] == [
        "catalog.product.published",
        "catalog.product.unpublished",
    ]


def test_publishing_tells_the_stores_owners_and_admins_once(store: Store) -> None:
    product_id = store.product("Tandem", "1299.00", published=False)

    store.call("manager", "post", f"/api/v1/products/{product_id}/publish/")
    store.call("manager", "post", f"/api/v1/products/{product_id}/publish/")  # already live: nobody is told again

    with tenant_transaction(store.tenant.route):
        told = sorted(
            (row.recipient.email, row.kind, row.title, row.data)
            for row in Notification.objects.select_related("recipient").filter(kind="catalog.product_published")
        )
    team = sorted(email for email, role in MEMBER_EMAILS.items() if role in ("owner", "admin"))
    assert [email for email, *_ in told] == team
    assert {(kind, title) for _, kind, title, _ in told} == {("catalog.product_published", "Tandem is live")}
    assert {data["product_id"] for *_, data in told} == {str(product_id)}


# ---- Outbox atomicity --------------------------------------------------------------------


def test_an_action_in_a_transaction_that_rolls_back_leaves_no_outbox_row(store: Store) -> None:
    class Abandoned(Exception):
        pass

    written_inside = []

    def create_and_publish_then_give_up() -> None:
        with tenant_transaction(store.tenant.route):
            manager = store.user("manager")
            product = actions.create_product(
                None, manager, name="Ghost", price_amount=Decimal("1.00"), price_currency="EUR"
            )
            actions.publish_product(None, manager, product)
            written_inside.append(OutboxEvent.objects.count())
            raise Abandoned

    with pytest.raises(Abandoned):
        create_and_publish_then_give_up()

    assert written_inside == [2]

    assert store.outbox() == []
    assert store.products() == []


def test_a_request_that_fails_after_emitting_leaves_no_outbox_row(store: Store) -> None:
    # Given the audit log refusing every write (a real database failure, after the product and its event
    # were written in the request's transaction)
    with tenant_transaction(store.tenant.route), connection.cursor() as cursor:
        cursor.execute(
            "CREATE FUNCTION refuse_audit() RETURNS trigger LANGUAGE plpgsql AS"
            " $$ BEGIN RAISE EXCEPTION 'audit log unavailable'; END $$;"
            " CREATE TRIGGER refuse_audit BEFORE INSERT ON audit_auditevent"
            " FOR EACH ROW EXECUTE FUNCTION refuse_audit()"
        )

    failed = store.call("manager", "post", "/api/v1/products/", BIKE, raise_request_exception=False)
    invalid = store.call("manager", "post", "/api/v1/products/", {**BIKE, "price": {"amount": "-1", "currency": "EUR"}})

    assert error(failed)[:2] == (500, "server_error")
    assert error(invalid)[:2] == (400, "invalid")
    assert store.outbox() == []
    assert store.products() == []


def test_a_request_on_one_store_writes_its_event_in_that_stores_schema_only(
    shard: tuple[str, list[ShardTenant]],
) -> None:
    alpha, bravo = Store(shard[1][0]), Store(shard[1][1])

    created = alpha.call("manager", "post", "/api/v1/products/", BIKE)

    assert created.status_code == 201
    assert created["Location"] == f"/api/v1/products/{created.json()['id']}/"
    [envelope] = alpha.outbox()
    assert envelope["tenant"] == alpha.tenant.slug
    assert bravo.outbox() == []
    assert bravo.products() == []
    # And the other store cannot reach the product at all.
    assert error(bravo.call("manager", "get", f"/api/v1/products/{created.json()['id']}/"))[:2] == (404, "not_found")


# ---- Who may do what ---------------------------------------------------------------------


def test_a_customer_cannot_create_publish_or_change_products(store: Store) -> None:
    product_id = store.product("Bike", "499.90")

    created = store.call("customer", "post", "/api/v1/products/", BIKE)
    published = store.call("customer", "post", f"/api/v1/products/{product_id}/unpublish/")
    changed = store.call("customer", "patch", f"/api/v1/products/{product_id}/", {"name": "Mine"})
    anonymous = store.call(None, "get", "/api/v1/products/")

    assert error(created)[:2] == (403, "forbidden")
    assert "products.create (no_permission)" in problem(created)["detail"]
    assert error(published)[:2] == (403, "forbidden")
    assert error(changed)[:2] == (403, "forbidden")
    assert error(anonymous)[:2] == (401, "not_authenticated")
    assert [product.name for product in store.products()] == ["Bike"]


def test_customers_see_only_published_products(store: Store) -> None:
    shown = store.product("Bike", "499.90")
    hidden = store.product("Prototype", "1.00", published=False)

    as_customer = store.call("customer", "get", "/api/v1/products/")
    as_staff = store.call("staff", "get", "/api/v1/products/")

    assert [p["id"] for p in as_customer.json()["results"]] == [shown]
    assert [p["id"] for p in as_staff.json()["results"]] == [shown, hidden]
    assert store.call("customer", "get", f"/api/v1/products/{shown}/").status_code == 200
    assert error(store.call("customer", "get", f"/api/v1/products/{hidden}/"))[:2] == (404, "not_found")


def test_staff_change_products_of_their_own_location_only(store: Store) -> None:
    assert store.call("owner", "post", "/api/v1/policies/", STAFF_LOCATION).status_code == 201
    north = store.product("Sled", "80.00", location="north")
    south = store.product("Surfboard", "300.00", location="south")
    before = len(store.outbox())

    own = store.call("staff", "patch", f"/api/v1/products/{north}/", {"description": "Fast."})
    other = store.call("staff", "patch", f"/api/v1/products/{south}/", {"description": "Wet."})
    moved_away = store.call("staff", "patch", f"/api/v1/products/{north}/", {"location": "south"})
    publish = store.call("staff", "post", f"/api/v1/products/{north}/unpublish/")

    assert (own.status_code, own.json()["description"]) == (200, "Fast.")
    assert error(other)[:2] == (403, "forbidden")
    assert "not_allowed_by_policy:staff-own-location" in problem(other)["detail"]
    # Whoever may change one location's products cannot move one out of it.
    assert error(moved_away)[:2] == (403, "forbidden")
    assert error(publish)[:2] == (403, "forbidden")  # staff do not hold products.publish
    assert [(p.description, p.location, p.published) for p in store.products()] == [
        ("Fast.", "north", True),
        ("", "south", True),
    ]
    assert [envelope["type"] for envelope in store.outbox()[before:]] == ["catalog.product.updated"]


# ---- REST: input, lists ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({**BIKE, "price": {"amount": "1.00", "currency": "XYZ"}}, "/price/currency", "'XYZ' is not an ISO 4217"),
        ({**BIKE, "price": {"amount": "1.00", "currency": "eur"}}, "/price/currency", "'eur' is not an ISO 4217"),
        ({**BIKE, "price": {"amount": "-0.01", "currency": "EUR"}}, "/price/amount", "greater than or equal to 0"),
        ({**BIKE, "price": {"amount": "1.001", "currency": "EUR"}}, "/price/amount", "no more than 2 decimal places"),
        (
            {**BIKE, "price": {"amount": "12345678901", "currency": "EUR"}},
            "/price/amount",
            "no more than 10 digits before",
        ),
        ({**BIKE, "price": {"amount": "NaN", "currency": "EUR"}}, "/price/amount", "A valid number is required."),
        ({**BIKE, "price": 12.5}, "/price", "Invalid data. Expected a dictionary"),
        ({**BIKE, "name": "  "}, "/name", "This field may not be blank."),
        ({"price": BIKE["price"]}, "/name", "This field is required."),
        ({**BIKE, "name": "x" * 201}, "/name", "no more than 200 characters"),
    ],
)
def test_a_bad_product_is_refused_with_a_field_error(
    store: Store, body: dict[str, Any], field: str, message: str
) -> None:
    refused = store.call("manager", "post", "/api/v1/products/", body)

    status, code, fields = error(refused)
    assert (status, code) == (400, "invalid")
    assert fields is not None
    assert message in fields[field][0], fields
    assert store.products() == []
    assert store.outbox() == []


def test_unknown_products_and_bad_ids_are_not_found(store: Store) -> None:
    assert error(store.call("manager", "get", "/api/v1/products/999999/"))[:2] == (404, "not_found")
    assert error(store.call("manager", "post", "/api/v1/products/999999/publish/"))[:2] == (404, "not_found")
    assert error(store.call("manager", "get", "/api/v1/products/abc/"))[:2] == (404, "not_found")


def test_products_are_filtered_searched_and_paged(store: Store) -> None:
    bike = store.product("City bike", "499.90")
    helmet = store.product("Helmet", "39.00", "USD")
    draft = store.product("Bike bell", "5.00", published=False)

    def ids(query: str) -> list[int]:
        response = store.call("manager", "get", f"/api/v1/products/{query}")
        assert response.status_code == 200, response.content
        return [product["id"] for product in response.json()["results"]]

    first = store.call("manager", "get", "/api/v1/products/?page_size=2").json()
    following = urlsplit(first["next"])
    second = store.call("manager", "get", f"{following.path}?{following.query}").json()

    assert ids("?search=BIKE") == [bike, draft]
    assert ids("?published=false") == [draft]
    assert ids("?currency=USD") == [helmet]
    assert ids("?currency=EUR&published=true") == [bike]
    assert [p["id"] for p in first["results"] + second["results"]] == [bike, helmet, draft]
    assert first["results"][0]["price"] == {"amount": "499.90", "currency": "EUR"}


def test_listing_products_takes_the_same_queries_for_few_and_many(store: Store) -> None:
    def queries_for_list(who: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert store.call(who, "get", "/api/v1/products/").status_code == 200
        return len(captured)

    store.product("First", "1.00")
    few = [queries_for_list("manager"), queries_for_list("customer")]
    now = timezone.now()
    with tenant_transaction(store.tenant.route):
        Product.objects.bulk_create(
            Product(
                name=f"p{n}",
                slug=f"p{n}",
                price_amount=n,
                price_currency="EUR",
                published=n % 2 == 0,
                published_at=now if n % 2 == 0 else None,
            )
            for n in range(30)
        )

    assert [queries_for_list("manager"), queries_for_list("customer")] == few


# ---- GraphQL -----------------------------------------------------------------------------

PRODUCT_FIELDS = "id name description price { amount currency } published location"
CREATE = f"""mutation($name: String!, $price: MoneyInput!, $location: String! = "") {{
  createProduct(name: $name, price: $price, location: $location) {{ {PRODUCT_FIELDS} }} }}"""
UPDATE = f"""mutation($id: ID!, $name: String, $price: MoneyInput) {{
  updateProduct(id: $id, name: $name, price: $price) {{ {PRODUCT_FIELDS} }} }}"""
PUBLISH = f"mutation($id: ID!) {{ publishProduct(id: $id) {{ {PRODUCT_FIELDS} }} }}"
UNPUBLISH = f"mutation($id: ID!) {{ unpublishProduct(id: $id) {{ {PRODUCT_FIELDS} }} }}"
PRODUCTS = f"""query($filters: ProductFilter) {{
  products(filters: $filters) {{ totalCount edges {{ node {{ {PRODUCT_FIELDS} }} }} }} }}"""


def codes(body: dict[str, Any]) -> list[str]:
    return [error["extensions"]["code"] for error in body.get("errors", [])]


def test_graphql_creates_changes_publishes_and_lists_products(store: Store) -> None:
    made = store.graphql("manager", CREATE, name="Bike", price={"amount": "499.90", "currency": "EUR"})
    product = made["data"]["createProduct"]
    changed = store.graphql("manager", UPDATE, id=product["id"], price={"amount": "450", "currency": "EUR"})
    published = store.graphql("manager", PUBLISH, id=product["id"])
    draft = store.graphql("manager", CREATE, name="Bike bell", price={"amount": "5", "currency": "EUR"})
    as_customer = store.graphql("customer", PRODUCTS)
    searched = store.graphql("manager", PRODUCTS, filters={"nameContains": "bike", "published": False})
    one = store.graphql("customer", "query($id: ID!) { product(id: $id) { name } }", id=product["id"])
    hidden = store.graphql(
        "customer", "query($id: ID!) { product(id: $id) { name } }", id=draft["data"]["createProduct"]["id"]
    )
    withdrawn = store.graphql("manager", UNPUBLISH, id=product["id"])

    pk = int(relay.GlobalID.from_id(product["id"]).node_id)
    assert product == {
        "id": str(relay.GlobalID("Product", str(pk))),
        "name": "Bike",
        "description": "",
        "price": {"amount": "499.90", "currency": "EUR"},
        "published": False,
        "location": "",
    }
    assert changed["data"]["updateProduct"]["price"] == {"amount": "450.00", "currency": "EUR"}
    assert published["data"]["publishProduct"]["published"] is True
    assert [edge["node"]["name"] for edge in as_customer["data"]["products"]["edges"]] == ["Bike"]
    assert [edge["node"]["name"] for edge in searched["data"]["products"]["edges"]] == ["Bike bell"]
    assert one == {"data": {"product": {"name": "Bike"}}}
    assert codes(hidden) == ["NOT_FOUND"]
    assert withdrawn["data"]["unpublishProduct"]["published"] is False
    # The same actions as REST: one event each, in order.
    assert [envelope["type"] for envelope in store.outbox()] == [
        "catalog.product.created",
        "catalog.product.updated",
        "catalog.product.published",
        "catalog.product.created",
        "catalog.product.unpublished",
    ]


def test_graphql_refusals_and_bad_input_have_codes(store: Store) -> None:
    product_id = store.product("Bike", "499.90", location="south")
    global_id = str(relay.GlobalID("Product", str(product_id)))
    store.call("owner", "post", "/api/v1/policies/", STAFF_LOCATION)

    by_customer = store.graphql("customer", CREATE, name="Mine", price={"amount": "1", "currency": "EUR"})
    bad_currency = store.graphql("manager", CREATE, name="Bike", price={"amount": "1", "currency": "XYZ"})
    bad_amount = store.graphql("manager", UPDATE, id=global_id, price={"amount": "-5", "currency": "EUR"})
    other_location = store.graphql("staff", UPDATE, id=global_id, name="Renamed")
    staff_publish = store.graphql("staff", UNPUBLISH, id=global_id)
    unknown = store.graphql("manager", PUBLISH, id=str(relay.GlobalID("Product", "999999")))

    assert codes(by_customer) == ["FORBIDDEN"]
    assert by_customer["errors"][0]["extensions"]["reason"] == "forbidden"
    assert codes(bad_currency) == ["BAD_USER_INPUT"]
    assert field_errors(bad_currency["errors"][0]["extensions"]) == {
        "/price/currency": ["'XYZ' is not an ISO 4217 currency code; use three capital letters such as EUR or USD."]
    }
    assert codes(bad_amount) == ["BAD_USER_INPUT"]
    assert list(field_errors(bad_amount["errors"][0]["extensions"])) == ["/price/amount"]
    assert codes(other_location) == ["FORBIDDEN"]
    assert "not_allowed_by_policy:staff-own-location" in other_location["errors"][0]["message"]
    assert codes(staff_publish) == ["FORBIDDEN"]
    assert codes(unknown) == ["NOT_FOUND"]
    assert [(p.name, p.price_currency, p.published) for p in store.products()] == [("Bike", "EUR", True)]
