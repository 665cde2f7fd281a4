"""GET /api/v1/search/, /api/v1/search/autocomplete/ and /api/v1/directory/: anyone may ask, within a budget per IP."""

from __future__ import annotations

import hashlib
from typing import Any

from django.core.cache import cache
from django.db.models import QuerySet
from django.utils.cache import patch_cache_control
from drf_spectacular.utils import extend_schema
from rest_framework import generics
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
    DirectoryEntrySerializer,
    SearchParameters,
    SearchResultSerializer,
    encode_cursor,
    hit_data,
    suggestion_data,
)
from control_plane.search.api.throttling import AutocompleteIPThrottle, SearchIPThrottle
from control_plane.search.backends.base import SearchQuery
from control_plane.search.models import TenantEntry
from tenantry_kernel.web.openapi import problems
from tenantry_kernel.web.pagination import CursorPage

DIRECTORY_CACHE_SECONDS = 60


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


class StoresBySlug(CursorPage):
    ordering = "slug"
    page_size = 50


class DirectoryView(generics.ListAPIView[TenantEntry]):
    """The public directory of live stores: ready ones only (not suspended, failed or being set up)."""

    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]
    throttle_classes = [SearchIPThrottle]
    serializer_class = DirectoryEntrySerializer
    pagination_class = StoresBySlug

    @extend_schema(
        summary="List the live stores",
        description=(
            "Every store that is ready (not suspended, failed or still being set up), by slug, with its name and "
            f"address only; public, within the search budget per client address. Answers are cached for "
            f"{DIRECTORY_CACHE_SECONDS} seconds, so a store that just went live or was suspended may take that long "
            "to appear or leave."
        ),
        responses={200: DirectoryEntrySerializer(many=True), **problems("invalid")},
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        key = "search:directory:" + hashlib.sha256(request.build_absolute_uri().encode()).hexdigest()
        data = cache.get(key)
        if data is None:
            data = super().get(request, *args, **kwargs).data
            cache.set(key, data, DIRECTORY_CACHE_SECONDS)
        response = Response(data)
        patch_cache_control(response, public=True, max_age=DIRECTORY_CACHE_SECONDS)
        return response

    def get_queryset(self) -> QuerySet[TenantEntry]:
        return selectors.live_stores()
