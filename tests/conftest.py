from collections.abc import Iterator

import pytest

from tenantry_kernel.testing.databases import migrated_database
from tests.e2e_support import Stack, running_stack


@pytest.fixture
def scratch_databases() -> Iterator[tuple[str, str]]:
    """Two migrated copies: the control plane's and the tenant app's (their auth models differ)."""
    with migrated_database("control_plane") as platform, migrated_database("tenant_app") as shard:
        yield platform, shard


@pytest.fixture(scope="session")
def stack() -> Iterator[Stack]:
    """`make up`'s own stack (dev/up.py) on scratch databases and vhost, shared by the end-to-end and attack tests."""
    with running_stack() as running:
        yield running
