"""Reads of global search: whatever the configured backend answers."""

from __future__ import annotations

from django.db.models import QuerySet

from control_plane.search.backends import get_backend
from control_plane.search.backends.base import SearchPage, SearchQuery, Suggestion
from control_plane.search.models import TenantEntry, TenantState


def search(query: SearchQuery) -> SearchPage:
    """Visible products and listed tenants matching `query`, best first."""
    return get_backend().search(query)


def autocomplete(text: str, limit: int = 10) -> list[Suggestion]:
    """Product names and tenants whose words begin as `text` does (its last word may be unfinished)."""
    return get_backend().autocomplete(text, limit)


def live_stores() -> QuerySet[TenantEntry]:
    """The directory's stores: ready ones with an address (suspended, failed, pending and deleted ones are not)."""
    return TenantEntry.objects.filter(state=TenantState.READY).exclude(url="").only("slug", "name", "url")
