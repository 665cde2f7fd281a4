"""Addresses per country (tenantry_kernel.addresses): what each country requires, its postal code pattern, its
areas, and the field errors (with codes) an API answers bad input with."""

from __future__ import annotations

from collections.abc import Mapping
from typing import cast

import pytest

from tenantry_kernel.addresses import FIELDS, MAX_LENGTHS, AddressError, normalize_address


def _errors(data: Mapping[str, object]) -> dict[str, list[str]]:
    with pytest.raises(AddressError) as raised:
        normalize_address(cast(Mapping[str, str], data))  # what a client may send: not only text
    return {field: [code for code, _ in problems] for field, problems in raised.value.errors.items()}


GERMAN = {
    "name": "  Erika   Mustermann ",
    "company": "Muster GmbH",
    "street_address_1": "Heidestraße 17",
    "city": "Köln",
    "postal_code": "51147",
    "country": "de",
}
AMERICAN = {
    "name": "Dana Reyes",
    "street_address_1": "1600 Amphitheatre Pkwy",
    "street_address_2": "Building 4",
    "city": "Mountain View",
    "country_area": "california",
    "postal_code": "94043-1351",
    "country": "US",
    "phone": "+1 650-253-0000",
}
JAPANESE = {
    "name": "山田太郎",
    "street_address_1": "千代田1-1",
    "city": "千代田区",
    "country_area": "東京都",
    "postal_code": "100-8111",
    "country": "JP",
}
BRITISH = {
    "name": "Sam Okafor",
    "street_address_1": "10 Downing Street",
    "city": "London",
    "postal_code": "sw1a 2aa",
    "country": "GB",
}


def test_a_german_address_is_trimmed_and_keeps_its_fields() -> None:
    # given a German address with stray spaces and a lower-case country
    # when it is normalized
    address = normalize_address(GERMAN)
    # then every field is there, cleaned, and Germany's rules held (five-digit postal code, no state)
    assert set(address) == set(FIELDS)
    assert address["name"] == "Erika Mustermann"
    assert address["country"] == "DE"
    assert address["postal_code"] == "51147"
    assert address["city"] == "Köln"
    assert address["country_area"] == ""
    assert address["street_address_2"] == ""


def test_a_us_address_names_its_state_by_code() -> None:
    address = normalize_address(AMERICAN)
    assert address["country_area"] == "CA"
    assert address["city"] == "Mountain View"  # as written (the label's capitals are a printer's business)
    assert address["street_address_2"] == "Building 4"
    assert address["phone"] == "+1 650-253-0000"


def test_a_japanese_address_names_its_prefecture_by_code() -> None:
    address = normalize_address(JAPANESE)
    assert address["country"] == "JP"
    assert address["country_area"] == "東京都"
    assert address["postal_code"] == "100-8111"
    # the prefecture's Latin name names the same prefecture
    assert normalize_address({**JAPANESE, "country_area": "Tokyo"})["country_area"] == "東京都"


def test_a_british_postcode_is_written_in_capitals() -> None:
    address = normalize_address(BRITISH)
    assert address["postal_code"] == "SW1A 2AA"
    assert address["city"] == "London"


def test_a_missing_postal_code_is_required_where_the_country_requires_one() -> None:
    assert _errors({**GERMAN, "postal_code": ""}) == {"postal_code": ["required"]}
    assert _errors({**AMERICAN, "postal_code": "  "}) == {"postal_code": ["required"]}


def test_a_postal_code_of_the_wrong_format_is_invalid() -> None:
    assert _errors({**GERMAN, "postal_code": "5114"}) == {"postal_code": ["invalid"]}
    assert _errors({**JAPANESE, "postal_code": "ABC-1234"}) == {"postal_code": ["invalid"]}
    assert _errors({**BRITISH, "postal_code": "12345"}) == {"postal_code": ["invalid"]}
    # a valid US ZIP code that is not California's
    assert _errors({**AMERICAN, "postal_code": "10001"}) == {"postal_code": ["invalid"]}


def test_an_unknown_area_is_invalid() -> None:
    assert _errors({**AMERICAN, "country_area": "Bavaria"}) == {"country_area": ["invalid"]}


def test_an_unknown_or_missing_country_is_an_error_on_country() -> None:
    assert _errors({**GERMAN, "country": "XX"}) == {"country": ["invalid"]}
    assert _errors({**GERMAN, "country": "Germany"}) == {"country": ["too_long"]}
    assert _errors({**GERMAN, "country": "ZZ"}) == {"country": ["invalid"]}
    assert _errors({**GERMAN, "country": "1!"}) == {"country": ["invalid"]}
    assert _errors({key: value for key, value in GERMAN.items() if key != "country"}) == {"country": ["required"]}
    # named with the other problems, not only once they are fixed
    assert _errors({"city": "Berlin", "country": "QQ"}) == {
        "name": ["required"],
        "street_address_1": ["required"],
        "country": ["invalid"],
    }


def test_absurdly_long_fields_are_too_long_each() -> None:
    long_address = {**GERMAN, "name": "E" * 10_000, "city": "K" * (MAX_LENGTHS["city"] + 1)}
    assert _errors(long_address) == {"name": ["too_long"], "city": ["too_long"]}
    # exactly the limit is fine
    assert normalize_address({**GERMAN, "city": "K" * MAX_LENGTHS["city"]})["city"] == "K" * MAX_LENGTHS["city"]


def test_every_problem_is_reported_at_once() -> None:
    errors = _errors({"name": "", "street_address_1": "", "country": "DE", "postal_code": "x", "color": "red"})
    assert errors == {"name": ["required"], "street_address_1": ["required"], "color": ["unknown_field"]}
    # the country's own rules come once the basic checks pass
    assert _errors({**GERMAN, "city": "", "postal_code": "x"}) == {"city": ["required"], "postal_code": ["invalid"]}


def test_values_that_are_not_one_line_of_text_are_invalid() -> None:
    assert _errors({**GERMAN, "city": "Köln\nBonn"}) == {"city": ["invalid"]}
    assert _errors({**GERMAN, "postal_code": 51147}) == {"postal_code": ["invalid"]}
    assert _errors({**GERMAN, "phone": "call me maybe"}) == {"phone": ["invalid"]}
    assert _errors({**GERMAN, "phone": "+49 " + "1" * 16}) == {"phone": ["invalid"]}


def test_errors_carry_a_message_per_code() -> None:
    with pytest.raises(AddressError) as raised:
        normalize_address({**GERMAN, "postal_code": "5114"})
    ((code, message),) = raised.value.errors["postal_code"]
    assert code == "invalid"
    assert "postal code" in message
