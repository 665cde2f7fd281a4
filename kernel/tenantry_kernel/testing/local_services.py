"""pytest plugin of every suite (`-p tenantry_kernel.testing.local_services` in each pytest.ini).

Loaded before conftest files and Django's settings: the suite finds the servers `make services`
set up even when pytest is run by hand, and its header says which PostgreSQL it tests against.
"""

from __future__ import annotations

from tenantry_kernel import local_services

local_services.load()


def pytest_report_header() -> str:
    return f"PostgreSQL: {local_services.postgres_server()}"
