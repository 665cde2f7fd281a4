from pathlib import Path

import pytest

from tenantry_kernel.testing.web_contract import WebProject


@pytest.fixture(scope="session")
def web_project() -> WebProject:
    return WebProject(
        package="control_plane", service="control-plane", directory=str(Path(__file__).resolve().parents[1])
    )
