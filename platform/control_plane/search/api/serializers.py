"""The search API's inputs (query parameters, checked with clear messages) and its answers."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core import signing
from drf_spectacular.utils import OpenApiExample, extend_schema_serializer
from rest_framework import serializers
from rest_framework.exceptions import ErrorDetail

from control_plane.search.backends.base import Hit, Suggestion

MAX_QUERY_LENGTH = 200
MAX_AUTOCOMPLETE_LENGTH = 100
DEFAULT_LIMIT = 20
MAX_LIMIT = 50
# Deeper than this a search stops offering pages (like Elasticsearch's result window); refine the query instead.
MAX_OFFSET = 1000
CURSOR_SALT = "control_plane.search.cursor"


def _text_field(max_length: int, what: str) -> serializers.CharField:
    return serializers.CharField(
        max_length=max_length,
        error_messages={
            "required": f"Give the text to {what} in q.",
            "blank": f"q is empty; give 1 to {max_length} characters to {what}.",
            "max_length": f"q is too long: at most {max_length} characters.",
            "null": f"Give the text to {what} in q.",
        },
    )


class SearchParameters(serializers.Serializer[Any]):
    q = _text_field(MAX_QUERY_LENGTH, "search for")
    kind = serializers.ChoiceField(
        choices=["product", "tenant"],
        required=False,
        error_messages={"invalid_choice": "kind is {input!r}; use product or tenant, or leave it out for both."},
    )
    currency = serializers.RegexField(
        r"^[A-Z]{3}$",
        required=False,
        error_messages={"invalid": "currency must be an ISO 4217 code in three capital letters, such as EUR."},
    )
    limit = serializers.IntegerField(min_value=1, max_value=MAX_LIMIT, default=DEFAULT_LIMIT)
    cursor = serializers.CharField(required=False)

    def validate_cursor(self, value: str) -> dict[str, Any]:
        try:
            position = signing.loads(value, salt=CURSOR_SALT)
        except signing.BadSignature:
            position = None
        if (
            not isinstance(position, dict)
            or not isinstance(position.get("offset"), int)
            or not 0 <= position["offset"] <= MAX_OFFSET
            or position.get("match") not in ("exact", "fuzzy")
        ):
            message = "This cursor is invalid; follow a `next` or `previous` link as it was given."
            raise serializers.ValidationError(ErrorDetail(message, "invalid_cursor"))
        return position

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs.get("currency") and attrs.get("kind") == "tenant":
            message = "currency filters products; leave it out to search tenants, or use kind=product."
            raise serializers.ValidationError({"currency": [ErrorDetail(message, "invalid")]})
        return attrs


class AutocompleteParameters(serializers.Serializer[Any]):
    q = _text_field(MAX_AUTOCOMPLETE_LENGTH, "complete")
    limit = serializers.IntegerField(min_value=1, max_value=20, default=10)


class TenantRefSerializer(serializers.Serializer[Any]):
    slug = serializers.SlugField()
    name = serializers.CharField()
    url = serializers.CharField()


@extend_schema_serializer(
    examples=[OpenApiExample("A live store", value={"slug": "acme", "name": "Acme Coffee",
                                                    "url": "http://acme.localhost:8000/"}, response_only=True)]
)  # fmt: skip
class DirectoryEntrySerializer(serializers.Serializer[Any]):
    """A live store of the public directory: only what its storefront shows anyway."""

    slug = serializers.SlugField()
    name = serializers.CharField()
    url = serializers.CharField(help_text="The storefront's address.")


class MoneySerializer(serializers.Serializer[Any]):
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, coerce_to_string=True)
    currency = serializers.CharField()


class HitSerializer(serializers.Serializer[Any]):
    """A product (with `id` and `price`) or a tenant; `*_html` mark the matched words with <mark>."""

    kind = serializers.ChoiceField(choices=["product", "tenant"])
    name = serializers.CharField()
    name_html = serializers.CharField()
    snippet_html = serializers.CharField()
    tenant = TenantRefSerializer()
    score = serializers.FloatField()
    id = serializers.CharField(required=False, help_text="Products only: the product's id in its store.")
    price = MoneySerializer(required=False, allow_null=True, help_text="Products only.")


TENANT_REF = {"slug": "acme", "name": "Acme Coffee", "url": "http://acme.localhost:8000/"}


@extend_schema_serializer(
    examples=[
        OpenApiExample(
            "Two coffees",
            value={
                "query": "espresso",
                "match": "exact",
                "corrected_query": None,
                "results": [
                    {"kind": "product", "name": "Espresso beans 1 kg", "name_html": "<mark>Espresso</mark> beans 1 kg",
                     "snippet_html": "Dark roast for <mark>espresso</mark>", "tenant": TENANT_REF, "score": 0.912345,
                     "id": "1042", "price": {"amount": "24.90", "currency": "EUR"}},
                ],
                "next": "http://localhost:8001/api/v1/search/?q=espresso&cursor=eyJvZmZzZXQiOjIwfQ",
                "previous": None,
            },
            response_only=True,
        )
    ]
)  # fmt: skip
class SearchResultSerializer(serializers.Serializer[Any]):
    """One page of hits, best first; `next` and `previous` are the pages' addresses (null at the ends)."""

    query = serializers.CharField()
    match = serializers.ChoiceField(choices=["exact", "fuzzy"], allow_null=True)
    corrected_query = serializers.CharField(allow_null=True, help_text="How a fuzzy match read the query.")
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = HitSerializer(many=True)


class SuggestionSerializer(serializers.Serializer[Any]):
    kind = serializers.ChoiceField(choices=["product", "tenant"])
    text = serializers.CharField()
    text_html = serializers.CharField()
    tenant = TenantRefSerializer(required=False)


@extend_schema_serializer(
    examples=[
        OpenApiExample(
            "Typing esp",
            value={
                "query": "esp",
                "suggestions": [
                    {"kind": "product", "text": "Espresso beans 1 kg", "text_html": "<mark>Esp</mark>resso beans 1 kg",
                     "tenant": TENANT_REF},
                ],
            },
            response_only=True,
        )
    ]
)  # fmt: skip
class AutocompleteResultSerializer(serializers.Serializer[Any]):
    query = serializers.CharField()
    suggestions = SuggestionSerializer(many=True)


def encode_cursor(offset: int, match: str) -> str:
    return signing.dumps({"offset": offset, "match": match}, salt=CURSOR_SALT, compress=True)


def money(amount: Decimal, currency: str) -> dict[str, str]:
    """{"amount": "12.50", "currency": "EUR"}: at least two decimals, never an exponent."""
    normalized = amount.normalize()
    exponent = normalized.as_tuple().exponent
    if isinstance(exponent, int) and exponent > -2:
        normalized = normalized.quantize(Decimal("0.01"))
    return {"amount": format(normalized, "f"), "currency": currency}


def hit_data(hit: Hit) -> dict[str, Any]:
    data: dict[str, Any] = {
        "kind": hit.kind,
        "name": hit.name,
        "name_html": hit.name_html,
        "snippet_html": hit.snippet_html,
        "tenant": {"slug": hit.tenant.slug, "name": hit.tenant.name, "url": hit.tenant.url},
        "score": round(hit.score, 6),
    }
    if hit.kind == "product":
        data["id"] = hit.product_id
        data["price"] = money(*hit.price) if hit.price else None
    return data


def suggestion_data(suggestion: Suggestion) -> dict[str, Any]:
    data: dict[str, Any] = {"kind": suggestion.kind, "text": suggestion.text, "text_html": suggestion.text_html}
    if suggestion.tenant is not None:
        data["tenant"] = {"slug": suggestion.tenant.slug, "name": suggestion.tenant.name, "url": suggestion.tenant.url}
    return data
