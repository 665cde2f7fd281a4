"""Runs one of the portal's browser scripts (web/portal/e2e/*.e2e.mjs: playwright-core with Debian's chromium,
headless) against `make up`'s stack, and fails with what the script and the stack said when the script fails.
Screenshots go to `.local/screenshots/portal/`, where a reviewer can look at them.
"""

from __future__ import annotations

import importlib
import os
import re
import subprocess
import sys
import threading
from pathlib import Path

from tenantry_kernel.testing.mail import link_in
from tests.e2e_support import Stack

ROOT = Path(__file__).resolve().parents[1]
SCRIPTS = ROOT / "web" / "portal" / "e2e"
SCREENSHOTS = ROOT / ".local" / "screenshots" / "portal"
CHROMIUM = "/usr/bin/chromium"
TIMEOUT_SECONDS = 480  # a whole script; the longest, the journey, takes about 2 minutes here
MAIL_REQUEST = re.compile(r"^MAIL\? (\S+) (\d+)$")


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
    browser = subprocess.Popen(
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
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        bufsize=1,
    )
    timed_out = threading.Event()

    def stop() -> None:
        timed_out.set()
        browser.kill()

    timer = threading.Timer(TIMEOUT_SECONDS, stop)
    timer.start()
    lines: list[str] = []
    try:
        assert browser.stdout is not None
        assert browser.stdin is not None
        for line in browser.stdout:
            lines.append(line)
            if asked := MAIL_REQUEST.match(line.strip()):
                browser.stdin.write(_mailed_link(stack, asked.group(1), int(asked.group(2))) + "\n")
                browser.stdin.flush()
        browser.stdin.close()
        browser.wait()
    finally:
        timer.cancel()
        if browser.poll() is None:
            browser.kill()
            browser.wait()
    output = "".join(lines)
    said = f"\n--- the stack's last output:\n{stack.output[-3000:]}" if stack else ""
    assert not timed_out.is_set(), f"{script} did not end within {TIMEOUT_SECONDS}s:\n{output}{said}"
    assert browser.returncode == 0, f"{output}{said}"
    assert f"{label}: passed" in output, output
    return output


def _mailed_link(stack: Stack | None, to: str, count: int) -> str:
    """The link of the `count`-th message to `to` in the stack's mail, or "ERROR <why>" for the script to report."""
    if stack is None:
        return "ERROR no stack, so no mail"
    try:
        return link_in(stack.mail.wait_for(to, timeout=60, count=count)[count - 1])
    except (TimeoutError, AssertionError) as exc:
        return f"ERROR {' '.join(str(exc).split())[:500]}"
