"""Search backends: `postgres` (the default) and `elasticsearch`, chosen by settings.SEARCH_BACKEND."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from control_plane.search.backends.base import SearchBackend

_backends: dict[tuple[str, str, str], SearchBackend] = {}


def get_backend() -> SearchBackend:
    """The configured backend (one instance per configuration, so clients and their pools are reused)."""
    name = settings.SEARCH_BACKEND
    url = settings.ELASTICSEARCH_URL
    prefix = settings.SEARCH_INDEX_PREFIX
    key = (name, url, prefix)
    if key not in _backends:
        if name == "postgres":
            from control_plane.search.backends.postgres import PostgresBackend

            _backends[key] = PostgresBackend()
        elif name == "elasticsearch":
            if not url:
                raise ImproperlyConfigured("SEARCH_BACKEND=elasticsearch needs ELASTICSEARCH_URL (http://host:9200).")
            from control_plane.search.backends.elasticsearch import ElasticsearchBackend

            _backends[key] = ElasticsearchBackend(url, prefix)
        else:
            raise ImproperlyConfigured(f"SEARCH_BACKEND is {name!r}; use 'postgres' or 'elasticsearch'.")
    return _backends[key]
