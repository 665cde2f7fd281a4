"""A cheaper reset after each transactional test: empty only the tables the test wrote to.

Django's `TransactionTestCase` ends every test with `manage.py flush`: a TRUNCATE of every
table of the project (44 in the tenant app, about a second on a loaded 2-core machine) and
`post_migrate` again to recreate content types and permissions. Most tests that need real
transactions write to a few tables, or none (the tenant app's write to tenant schemas).

`cheaper_transactional_reset()` makes a flush leave the database exactly as a full flush
would: the first flush of a run is Django's own, and records which tables then hold rows
(those `post_migrate` fills) with a digest of their rows. Each later reset TRUNCATEs the
tables that hold rows now and held none then; when one of the recorded tables changed (a
test added a permission) or a cascade reached one, it does Django's full flush instead.
Tests asking for `reset_sequences`, `serialized_rollback` or `available_apps` always get
Django's own.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.db import connections, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.test import TransactionTestCase

# Per database alias: the tables holding rows right after a full flush, each with its rows' digest.
_after_flush: dict[str, dict[str, str | None]] = {}


def _quote(connection: BaseDatabaseWrapper, table: str) -> str:
    return str(connection.ops.quote_name(table))


def _table_states(connection: BaseDatabaseWrapper, tables: list[str], digested: set[str]) -> dict[str, str | None]:
    """Each table that holds rows, with a digest of its rows when it is in `digested` (one query)."""
    if not tables:
        return {}
    parts = []
    for table in tables:
        name = _quote(connection, table)
        if table in digested:
            state = f"(SELECT md5(string_agg(t::text, ',' ORDER BY t::text)) FROM {name} AS t)"
        else:
            state = f"(SELECT 'rows' FROM {name} LIMIT 1)"
        parts.append(f"SELECT %s, {state}")
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), tables)
        return {str(table): state for table, state in cursor.fetchall() if state is not None}


def _django_tables(connection: BaseDatabaseWrapper) -> list[str]:
    return sorted(connection.introspection.django_table_names(only_existing=True, include_views=False))


def _record_after_flush(alias: str) -> None:
    connection = connections[alias]
    tables = _django_tables(connection)
    holding = _table_states(connection, tables, digested=set())
    _after_flush[alias] = _table_states(connection, sorted(holding), digested=set(holding))


def _reset_written_tables(alias: str) -> bool:
    """TRUNCATE what the test wrote; False when only a full flush restores the recorded state."""
    recorded = _after_flush.get(alias)
    if recorded is None:
        return False
    connection = connections[alias]
    tables = _django_tables(connection)
    states = _table_states(connection, tables, digested=set(recorded))
    if any(states.get(table) != digest for table, digest in recorded.items()):
        return False
    written = [table for table in states if table not in recorded]
    if not written:
        return True
    with transaction.atomic(using=alias), connection.cursor() as cursor:
        # CASCADE reaches only tables that reference these; a full flush would have emptied them too.
        cursor.execute(f"TRUNCATE {', '.join(_quote(connection, table) for table in written)} CASCADE")
    after = _table_states(connection, sorted(recorded), digested=set(recorded))
    return after == recorded


def _cheaper_fixture_teardown(django_teardown: Callable[[TransactionTestCase], None]) -> Callable[..., None]:
    def fixture_teardown(self: TransactionTestCase) -> None:
        special = self.available_apps is not None or self.serialized_rollback or self.reset_sequences
        aliases = list(self._databases_names(include_mirrors=False))  # type: ignore[attr-defined]  # Django's own helper, not in django-stubs
        if special or not all(_reset_written_tables(alias) for alias in aliases):
            django_teardown(self)
            if not special:
                for alias in aliases:
                    _record_after_flush(alias)

    return fixture_teardown


@contextmanager
def cheaper_transactional_reset() -> Iterator[None]:
    """While open, transactional tests end with the cheaper reset (a session fixture of a suite's conftest)."""
    django_teardown: Any = TransactionTestCase._fixture_teardown  # type: ignore[attr-defined]  # private in django-stubs
    # Django has no hook for how a TransactionTestCase empties the database: its method is swapped for the run.
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(TransactionTestCase, "_fixture_teardown", _cheaper_fixture_teardown(django_teardown))
        try:
            yield
        finally:
            _after_flush.clear()
