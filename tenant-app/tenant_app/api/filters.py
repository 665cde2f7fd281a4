"""`?ordering=` for lists, limited to the fields each view names (django-filter does the filtering)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ImproperlyConfigured
from django.db.models import QuerySet
from rest_framework import filters

if TYPE_CHECKING:
    from rest_framework.request import Request
    from rest_framework.views import APIView


def _ordering_fields(view: APIView) -> list[str]:
    declared = getattr(view, "ordering_fields", None) or []
    if isinstance(declared, str):
        raise ImproperlyConfigured(f"{type(view).__name__}.ordering_fields must list field names, not {declared!r}.")
    return list(declared)


class OrderingFilter(filters.OrderingFilter):
    """DRF's ordering filter over a view's `ordering_fields` only, with the primary key as the last key.

    DRF's own allows every serializer field when a view names none: a cursor-paginated list ordered
    by any column (nullable, unindexed, or with many equal values) is slow or pages unreliably.
    Name only non-null fields that are unique or nearly so and indexed. The trailing primary key
    keeps rows with equal values in one order.
    """

    def get_valid_fields(
        self, queryset: QuerySet[Any], view: APIView, context: Mapping[str, Any] | None = None
    ) -> list[tuple[str, str]]:
        return [(name, name) for name in _ordering_fields(view)]

    def get_ordering(self, request: Request, queryset: QuerySet[Any], view: APIView) -> Sequence[str] | None:
        ordering = super().get_ordering(request, queryset, view)
        if not ordering:
            return ordering
        pk = queryset.model._meta.pk
        if any(term.lstrip("-") in ("pk", pk and pk.name) for term in ordering):
            return tuple(ordering)
        return (*ordering, "pk")

    def get_schema_operation_parameters(self, view: APIView) -> list[dict[str, Any]]:
        fields = _ordering_fields(view)
        if not fields:
            return []
        description = f"Order by {', '.join(fields)}: a leading - sorts descending, commas separate several fields."
        return [
            {
                "name": self.ordering_param,
                "required": False,
                "in": "query",
                "description": description,
                "schema": {"type": "string"},
            }
        ]
