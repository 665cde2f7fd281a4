"""Where this checkout's local servers are: the settings `make services` writes to `.local/services.env`.

`make` exports them to every command; the local and test settings and the pytest suites read
them too (variables already set win), so `manage.py` and `pytest path::test` run by hand talk
to the same PostgreSQL (with its password file), Redis and RabbitMQ as `make test` does.
Never used in production: a deployed process is configured by its environment alone.
"""

from __future__ import annotations

from pathlib import Path

import environ

from tenantry_kernel.config import getenv

ENV_FILE = Path(__file__).resolve().parents[2] / ".local" / "services.env"


def load() -> None:
    """Set the variables of `.local/services.env` that the environment does not set already."""
    if ENV_FILE.is_file():
        environ.Env.read_env(ENV_FILE, overwrite=False)


def postgres_server() -> str:
    """Which PostgreSQL server the local settings point at, in words (for run headers)."""
    described = getenv("TENANTRY_POSTGRES_SERVER")
    if not described:
        return f"{getenv('PGHOST')}:{getenv('PGPORT')} (not set up by make services)"
    if getenv("TENANTRY_POSTGRES_KIND") == "embedded-fallback":
        return f"{described} — a FALLBACK, not the machine's server"
    return described
