"""The portal with its API down: each page says so, in words, and what to do; no blank page, no error page of
Next's, no 500. The portal's production build is served by `next start` with CONTROL_PLANE_URL on a loopback
port nothing listens on (the browser part: web/portal/e2e/down.e2e.mjs).
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from tenantry_kernel.testing import free_port, stop_process, wait_for_http
from tests.portal_browser import SCRIPTS, ensure_build, in_the_browser

ROOT = Path(__file__).resolve().parents[1]
NEXT = ROOT / "web" / "node_modules" / "next" / "dist" / "bin" / "next"


@pytest.fixture
def portal_without_api(tmp_path: Path) -> Iterator[str]:
    ensure_build()
    port = free_port()
    env = {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "HOME": str(Path.home()),
        "NEXT_TELEMETRY_DISABLED": "1",
        "CONTROL_PLANE_URL": f"http://127.0.0.1:{free_port()}",  # nothing listens there
    }
    command = ["node", str(NEXT), "start", "--port", str(port), "--hostname", "127.0.0.1"]
    log = (tmp_path / "next.log").open("w")
    process = subprocess.Popen(command, cwd=SCRIPTS.parent, env=env, stdout=log, stderr=subprocess.STDOUT, text=True)
    try:
        wait_for_http(f"http://127.0.0.1:{port}/offline", timeout=60, process=process)
        yield f"http://127.0.0.1:{port}"
    finally:
        stop_process(process)
        log.close()


def test_every_page_says_the_api_is_down_and_what_to_do(portal_without_api: str) -> None:
    for path in ("/", "/search?q=shoes", "/directory", "/sign-up", "/sign-in", "/stores/acme/progress"):
        answer = requests.get(f"{portal_without_api}{path}", timeout=30, allow_redirects=False)
        assert answer.status_code < 500, f"{path}: {answer.status_code}"
    # The BFF's own answer: a problem, not a stack trace.
    plans = requests.get(f"{portal_without_api}/bff/api/v1/plans/", timeout=30)
    assert plans.status_code == 502
    assert plans.headers["Content-Type"] == "application/problem+json"
    assert plans.json()["code"] == "control_plane_unreachable"

    output = in_the_browser(None, "down.e2e.mjs", "portal e2e (API down)", PORTAL_URL=portal_without_api)
    print(output)
