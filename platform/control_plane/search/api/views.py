"""GET /api/v1/search/ and /api/v1/search/autocomplete/: anyone may ask, within a budget per IP."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param
from rest_framework.views import APIView

from control_plane.search import selectors
from control_plane.search.api.serializers import (
    MAX_OFFSET,
    AutocompleteParameters,
    AutocompleteResultSerializer,
    SearchParameters,
    SearchResultSerializer,
    encode_cursor,
    hit_data,
    suggestion_data,
)
from control_plane.search.api.throttling import AutocompleteIPThrottle, SearchIPThrottle
from control_plane.search.backends.base import SearchQuery
from tenantry_kernel.web.openapi import problems


class SearchView(APIView):
    """Published products of ready tenants and the tenant directory, best match first.

    `?q=` (1 to 200 characters; quotes, `or` and `-word` work), `kind=product|tenant`,
    `currency=EUR`, `limit=` (1 to 50), `cursor=` from `next`. `match` says whether the
    results matched exactly or, when nothing did, matched the query with its typos corrected
    ("fuzzy", and `corrected_query` says how it was read).
    """

    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]
    throttle_classes = [SearchIPThrottle]

    @extend_schema(
        summary="Search the marketplace",
        description=(
            "Published products of ready stores and the store directory, best match first; public, within a "
            "budget per client address. Pages follow `next` (its cursor holds the position; past 1000 results, "
            "refine the query instead); `previous` goes back."
        ),
        parameters=[SearchParameters],
        responses={200: SearchResultSerializer, **problems("invalid")},
    )
    def get(self, request: Request) -> Response:
        form = SearchParameters(data=request.query_params)
        form.is_valid(raise_exception=True)
        params = form.validated_data
        position = params.get("cursor") or {"offset": 0, "match": None}
        query = SearchQuery(
            text=params["q"],
            kind=params.get("kind"),
            currency=params.get("currency"),
            offset=position["offset"],
            limit=params["limit"],
            match=position["match"],
        )
        page = selectors.search(query)
        here = request.build_absolute_uri()
        next_offset = query.offset + query.limit
        next_url = previous_url = None
        if page.has_more and next_offset <= MAX_OFFSET:
            next_url = replace_query_param(here, "cursor", encode_cursor(next_offset, page.match))
        if query.offset > 0:
            previous_offset = max(query.offset - query.limit, 0)
            previous_url = replace_query_param(here, "cursor", encode_cursor(previous_offset, page.match))
        return Response(
            {
                "query": query.text,
                "match": page.match,
                "corrected_query": page.corrected,
                # The shape of every list (tenantry_kernel.web.pagination), beside what the search read.
                "next": next_url,
                "previous": previous_url,
                "results": [hit_data(hit) for hit in page.hits],
            }
        )


class AutocompleteView(APIView):
    """Completions of what is being typed: product names, then tenants, with the typed part marked."""

    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]
    throttle_classes = [AutocompleteIPThrottle]

    @extend_schema(
        summary="Complete a search as it is typed",
        description="Product names, then stores, that start with (or contain) the text typed so far, the typed "
        "part marked; public, within a budget per client address.",
        parameters=[AutocompleteParameters],
        responses={200: AutocompleteResultSerializer, **problems("invalid")},
    )
    def get(self, request: Request) -> Response:
        form = AutocompleteParameters(data=request.query_params)
        form.is_valid(raise_exception=True)
        text = form.validated_data["q"]
        suggestions = selectors.autocomplete(text, form.validated_data["limit"])
        return Response({"query": text, "suggestions": [suggestion_data(item) for item in suggestions]})
