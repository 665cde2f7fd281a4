"""Runs one of the portal's browser scripts (web/portal/e2e/*.e2e.mjs: playwright-core with Debian's chromium,
headless) against `make up`'s stack, and fails with what the script and the stack said when the script fails.
Screenshots go to `.local/screenshots/portal/`, where a reviewer can look at them.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from tests.e2e_support import Stack

ROOT = Path(__file__).resolve().parents[1]
SCRIPTS = ROOT / "web" / "portal" / "e2e"
SCREENSHOTS = ROOT / ".local" / "screenshots" / "portal"
CHROMIUM = "/usr/bin/chromium"


def in_the_browser(stack: Stack, script: str, label: str, **env: str) -> str:
    """Run `script` (a file in web/portal/e2e/) with `env`; it must print "<label>: passed". Returns its output."""
    assert Path(CHROMIUM).exists(), "Debian's chromium is missing: `make deps` installs it (apt-get install chromium)"
    browser = subprocess.run(
        ["node", str(SCRIPTS / script)],
        cwd=SCRIPTS,
        env={
            "PATH": "/usr/local/bin:/usr/bin:/bin",
            "HOME": str(Path.home()),
            "PORTAL_URL": stack.portal_web,
            "SCREENSHOTS": str(SCREENSHOTS),
            "CHROMIUM": CHROMIUM,
            **env,
        },
        capture_output=True,
        text=True,
        timeout=300,
    )
    output = browser.stdout + browser.stderr
    assert browser.returncode == 0, f"{output}\n--- the stack's last output:\n{stack.output[-3000:]}"
    assert f"{label}: passed" in output, output
    return output
