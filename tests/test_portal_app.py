"""The portal as an installable app (PWA) in a real browser on `make up`'s stack: its manifest, its service worker,
what the worker keeps, and the offline page when the network is gone. The browser part is
web/portal/e2e/app.e2e.mjs; screenshots app-offline-light/dark in `.local/screenshots/portal/`.
"""

from __future__ import annotations

from tests.e2e_support import Stack
from tests.portal_browser import SCREENSHOTS, in_the_browser


def test_the_portal_installs_registers_its_service_worker_and_shows_the_offline_page(stack: Stack) -> None:
    output = in_the_browser(stack, "app.e2e.mjs", "app e2e")
    assert "installability errors: []" in output, output
    for scheme in ("light", "dark"):
        assert (SCREENSHOTS / f"app-offline-{scheme}.png").stat().st_size > 1000
