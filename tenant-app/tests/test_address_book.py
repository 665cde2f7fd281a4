"""The shopper's address book on a real tenant: addresses checked per country (tenantry_kernel.addresses) with field
errors by code, one default for shipping and one for billing, a limit per shopper, and each shopper's book their own."""

from __future__ import annotations

from typing import Any

import pytest

from tenant_app.accounts.models import MAX_ADDRESSES_PER_USER, Address, User
from tenant_app.audit.models import AuditEvent
from tenant_app.tenancy.context import tenant_transaction
from tenantry_kernel.testing.problems import error_codes, problem

from .conftest import ShardTenant
from .shop import Store

BOOK = "/api/v1/me/addresses/"
HOME = {
    "name": "Erika Mustermann",
    "street_address_1": "Heidestraße 17",
    "city": "Köln",
    "postal_code": "51147",
    "country": "de",
}
OFFICE = {
    "name": "Dana Reyes",
    "company": "Example Inc.",
    "street_address_1": "1600 Amphitheatre Pkwy",
    "city": "Mountain View",
    "country_area": "California",
    "postal_code": "94043",
    "country": "US",
    "phone": "+1 650 253 0000",
}


@pytest.fixture
def store(shard: tuple[str, list[ShardTenant]]) -> Store:
    return Store(shard[1][0])


def add(store: Store, who: str, body: dict[str, Any]) -> dict[str, Any]:
    response = store.call(who, "post", BOOK, body)
    assert response.status_code == 201, response.content
    address: dict[str, Any] = response.json()
    assert response["Location"] == f"{BOOK}{address['id']}/"
    return address


def rows(store: Store) -> list[tuple[int, int, bool, bool]]:
    with tenant_transaction(store.tenant.route):
        return list(
            Address.objects.order_by("id").values_list("id", "owner_id", "is_default_shipping", "is_default_billing")
        )


def test_a_shopper_adds_normalized_addresses_and_picks_defaults(store: Store) -> None:
    # given a shopper with an empty book
    # when they add a German and a US address, the second as billing default
    home = add(store, "customer", HOME)
    office = add(store, "customer", {**OFFICE, "is_default_billing": True})

    # then both are cleaned by their country's rules, and the defaults moved as asked
    assert home["country"] == "DE"
    assert (home["is_default_shipping"], home["is_default_billing"]) == (True, True)  # the first is both
    assert office["country_area"] == "CA"
    assert (office["is_default_shipping"], office["is_default_billing"]) == (False, True)
    listed = store.call("customer", "get", BOOK).json()
    assert [(a["id"], a["is_default_shipping"], a["is_default_billing"]) for a in listed] == [
        (home["id"], True, False),
        (office["id"], False, True),
    ]

    # when the office becomes the shipping default and its street changes
    changed = store.call(
        "customer",
        "patch",
        f"{BOOK}{office['id']}/",
        {"street_address_2": "Building 4", "is_default_shipping": True},
    )
    assert changed.status_code == 200, changed.content
    assert changed.json()["street_address_2"] == "Building 4"
    assert rows(store) == [
        (home["id"], store.ids["customer"], False, False),
        (office["id"], store.ids["customer"], True, True),
    ]

    # when an address is deleted, it is gone
    assert store.call("customer", "delete", f"{BOOK}{home['id']}/").status_code == 204
    assert [a["id"] for a in store.call("customer", "get", BOOK).json()] == [office["id"]]
    with tenant_transaction(store.tenant.route):
        types = list(AuditEvent.objects.filter(type__startswith="address_").values_list("type", flat=True))
    assert sorted(types) == ["address_added", "address_added", "address_deleted", "address_updated"]


def test_bad_addresses_answer_field_errors_with_codes_and_store_nothing(store: Store) -> None:
    cases = [
        ({**HOME, "postal_code": ""}, {"/postal_code": ["required"]}),
        ({**HOME, "postal_code": "ABCDE"}, {"/postal_code": ["invalid"]}),
        ({**HOME, "country": "XX"}, {"/country": ["invalid"]}),
        ({**HOME, "name": "x" * 5000, "city": "y" * 500}, {"/name": ["too_long"], "/city": ["too_long"]}),
        ({**OFFICE, "country_area": "Bavaria"}, {"/country_area": ["invalid"]}),
        ({**HOME, "city": 12}, {"/city": ["invalid"]}),
        ({**HOME, "colour": "red"}, {"/colour": ["unknown_field"]}),
    ]
    for body, expected in cases:
        response = store.call("customer", "post", BOOK, body)
        assert response.status_code == 400, (body, response.content)
        assert problem(response)["code"] == "invalid"
        assert error_codes(response) == expected, body
    # a bad change leaves the address as it was
    address = add(store, "customer", HOME)
    response = store.call("customer", "patch", f"{BOOK}{address['id']}/", {"postal_code": "1234"})
    assert response.status_code == 400
    assert store.call("customer", "get", f"{BOOK}{address['id']}/").json()["postal_code"] == "51147"
    assert len(rows(store)) == 1


def test_another_shoppers_address_is_not_found_and_staff_see_none_but_their_own(store: Store) -> None:
    mine = add(store, "customer", HOME)
    theirs = add(store, "other-customer", OFFICE)

    for verb, body in (("get", None), ("patch", {"city": "Bonn"}), ("delete", None)):
        response = store.call("customer", verb, f"{BOOK}{theirs['id']}/", body)
        assert response.status_code == 404, (verb, response.content)
        assert problem(response)["code"] == "not_found"
    assert [a["id"] for a in store.call("customer", "get", BOOK).json()] == [mine["id"]]
    # no role reaches into a shopper's book, not even the owner's
    assert store.call("owner", "get", BOOK).json() == []
    assert store.call("owner", "get", f"{BOOK}{mine['id']}/").status_code == 404
    assert store.call(None, "get", BOOK).status_code == 401
    # the other shopper's address is untouched
    assert store.call("other-customer", "get", f"{BOOK}{theirs['id']}/").json()["city"] == "Mountain View"


def test_an_address_book_holds_at_most_its_limit(store: Store) -> None:
    # given a shopper whose book is full (made in bulk)
    with tenant_transaction(store.tenant.route):
        owner = User.objects.get(pk=store.ids["customer"])
        Address.objects.bulk_create(
            Address(owner=owner, name=f"Box {n}", street_address_1="Postfach", postal_code="10115", country="DE")
            for n in range(MAX_ADDRESSES_PER_USER)
        )
    # when they add one more
    response = store.call("customer", "post", BOOK, HOME)
    # then it is refused, and nothing was added
    assert response.status_code == 409
    assert problem(response)["code"] == "address_limit"
    assert len(rows(store)) == MAX_ADDRESSES_PER_USER
    # another shopper is not limited by them
    add(store, "other-customer", HOME)
