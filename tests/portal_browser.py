"""Runs one of the portal's browser scripts (web/portal/e2e/*.e2e.mjs: playwright-core with Debian's chromium,
headless) against `make up`'s stack, and fails with what the script and the stack said when the script fails.
Screenshots go to `.local/screenshots/portal/`, where a reviewer can look at them.
"""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
from pathlib import Path

from tests.e2e_support import Stack

ROOT = Path(__file__).resolve().parents[1]
SCRIPTS = ROOT / "web" / "portal" / "e2e"
SCREENSHOTS = ROOT / ".local" / "screenshots" / "portal"
CHROMIUM = "/usr/bin/chromium"


def ensure_build() -> None:
    """`next build` unless `.next` is that of the current sources (the same check as `make up`'s)."""
    sys.path.insert(0, str(ROOT / "dev"))
    try:
        portal = importlib.import_module("portal")
    finally:
        sys.path.remove(str(ROOT / "dev"))
    portal.build({**os.environ, "NEXT_TELEMETRY_DISABLED": "1", "CONTROL_PLANE_URL": "http://127.0.0.1:9"})


def in_the_browser(stack: Stack | None, script: str, label: str, **env: str) -> str:
    """Run `script` (a file in web/portal/e2e/) with `env`; it must print "<label>: passed". Returns its output.
    Against `stack`'s portal, or (None) the portal that env's PORTAL_URL names."""
    assert Path(CHROMIUM).exists(), "Debian's chromium is missing: `make deps` installs it (apt-get install chromium)"
    browser = subprocess.run(
        ["node", str(SCRIPTS / script)],
        cwd=SCRIPTS,
        env={
            "PATH": "/usr/local/bin:/usr/bin:/bin",
            "HOME": str(Path.home()),
            "PORTAL_URL": stack.portal_web if stack else "",
            "SCREENSHOTS": str(SCREENSHOTS),
            "CHROMIUM": CHROMIUM,
            **env,
        },
        capture_output=True,
        text=True,
        timeout=300,
    )
    output = browser.stdout + browser.stderr
    said = f"\n--- the stack's last output:\n{stack.output[-3000:]}" if stack else ""
    assert browser.returncode == 0, f"{output}{said}"
    assert f"{label}: passed" in output, output
    return output
