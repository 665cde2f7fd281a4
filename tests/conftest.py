from collections.abc import Iterator

import pytest

from tenantry_kernel.testing.databases import migrated_database


@pytest.fixture
def scratch_databases() -> Iterator[tuple[str, str]]:
    """Two migrated copies: the control plane's and the tenant app's (their auth models differ)."""
    with migrated_database("control_plane") as platform, migrated_database("tenant_app") as shard:
        yield platform, shard
