"""Cursor pages for every list of both projects: stable while rows are added, and no COUNT(*) on big tables.

The default pagination class of every API (REST_FRAMEWORK in tenantry_kernel.web.settings). A list answers
`{"next", "previous", "results"}`; `next` and `previous` are links to follow as they are given (null at the ends).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import FieldDoesNotExist
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import Cursor, CursorPagination

if TYPE_CHECKING:
    from rest_framework.request import Request
    from rest_framework.views import APIView


def one_page(results: list[Any]) -> dict[str, Any]:
    """A short, fixed list (the plans, the permission catalog) in the shape of every list: its one page, no links."""
    return {"next": None, "previous": None, "results": results}


class CursorPage(CursorPagination):
    """Pages by primary key unless the view (a subclass's `ordering`, or an ordering filter) orders otherwise.

    `?page_size=` asks for 1 to 200 rows; a bad cursor is a 400 naming `cursor` (DRF answers 404).
    """

    ordering: str | tuple[str, ...] = "pk"
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
    invalid_cursor_message = "This cursor is invalid; follow a `next` or `previous` link as it was given."

    def paginate_queryset(
        self, queryset: models.QuerySet[Any], request: Request, view: APIView | None = None
    ) -> list[Any] | None:
        self.model: type[models.Model] = queryset.model
        return super().paginate_queryset(queryset, request, view)

    def decode_cursor(self, request: Request) -> Cursor | None:
        try:
            cursor = super().decode_cursor(request)
        except NotFound as error:
            raise self._invalid() from error
        if cursor is not None and cursor.position is not None and not self._is_position(str(cursor.position)):
            raise self._invalid()
        return cursor

    def _is_position(self, value: str) -> bool:
        """Whether `value` can be a value of the ordering field.

        The position goes into a WHERE clause, where a forged one would fail as a 500.
        """
        name = self.ordering[0].lstrip("-")
        try:
            field = self.model._meta.pk if name == "pk" else self.model._meta.get_field(name)
        except FieldDoesNotExist:
            return True  # an annotation: nothing to check it against
        if not isinstance(field, models.Field):
            return True
        try:
            field.to_python(value)
        except DjangoValidationError:
            return False
        return True

    def _invalid(self) -> ValidationError:
        return ValidationError({self.cursor_query_param: [self.invalid_cursor_message]}, code="invalid_cursor")
