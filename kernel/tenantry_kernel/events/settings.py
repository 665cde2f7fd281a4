"""Connection details the events machinery takes from Django's settings."""

from __future__ import annotations

from django.db import connections
from psycopg.conninfo import make_conninfo


def database_dsn(alias: str = "default") -> str:
    """A libpq DSN for `alias`, as Django would connect (the relay opens its own async connections)."""
    params = connections[alias].get_connection_params()
    keys = ("host", "port", "dbname", "user", "password", "sslmode", "sslrootcert", "sslcert", "sslkey")
    return make_conninfo(**{key: params[key] for key in keys if params.get(key) not in (None, "")})
