"""The portal web app in a real browser on `make up`'s own stack: signup through the API, the verification link from
the real mail opened in the portal, sign-in through its page, the stores page; axe-core on every page and screenshots
(light and dark) in `.local/screenshots/portal/`. The browser part is web/portal/e2e/portal.e2e.mjs (playwright-core
with Debian's chromium, headless); this test starts the stack, signs up and hands it the link.
"""

from __future__ import annotations

import secrets
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from tenantry_kernel.provisioning.naming import role_name
from tenantry_kernel.testing import wait_until
from tenantry_kernel.testing.mail import link_in
from tests.e2e_support import PASSWORD, Stack, remove_leftovers, sign_up, tenant_state

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "web" / "portal" / "e2e" / "portal.e2e.mjs"
SCREENSHOTS = ROOT / ".local" / "screenshots" / "portal"
CHROMIUM = "/usr/bin/chromium"


@pytest.fixture
def slug(stack: Stack) -> Iterator[str]:
    slug = f"portal-{secrets.token_hex(3)}"
    yield slug
    remove_leftovers(stack, slug)


def test_sign_up_verify_in_the_portal_sign_in_and_see_my_stores(stack: Stack, slug: str) -> None:
    assert Path(CHROMIUM).exists(), "Debian's chromium is missing: `make deps` installs it (apt-get install chromium)"
    email = f"owner-{slug}@example.test"
    signup = sign_up(stack, slug, email)
    assert signup.status_code == 202, signup.text
    token = signup.json()["tokens"]["access"]
    link = link_in(stack.mail.wait_for(email, timeout=60)[0])
    assert link.startswith(f"{stack.portal_web}/verify-email?"), link

    shutil.rmtree(SCREENSHOTS, ignore_errors=True)
    browser = subprocess.run(
        ["node", str(SCRIPT)],
        cwd=SCRIPT.parent,
        env={
            "PATH": "/usr/local/bin:/usr/bin:/bin",
            "HOME": str(Path.home()),
            "PORTAL_URL": stack.portal_web,
            "VERIFY_LINK": link,
            "EMAIL": email,
            "PASSWORD": PASSWORD,
            "SLUG": slug,
            "SCREENSHOTS": str(SCREENSHOTS),
            "CHROMIUM": CHROMIUM,
        },
        capture_output=True,
        text=True,
        timeout=240,
    )
    output = browser.stdout + browser.stderr
    assert browser.returncode == 0, f"{output}\n--- the stack's last output:\n{stack.output[-3000:]}"
    assert "portal e2e: passed" in output, output
    for page in ("verify-email", "sign-in", "sign-in-error", "stores", "stores-de", "reset-password-incomplete"):
        for scheme in ("light", "dark"):
            assert (SCREENSHOTS / f"{page}-{scheme}.png").stat().st_size > 1000, f"{page}-{scheme}.png"

    # The store the signup made is deleted again once provisioned (the fixture removes what a failure leaves).
    watched = signup.headers["Location"]
    wait_until(lambda: tenant_state(stack, watched, token) == "ready", 90, f"{slug} ready")
    deleted = stack.portal_call("DELETE", watched, token, json={"deletion_policy": "Delete"})
    assert deleted.status_code == 202, deleted.text
    wait_until(lambda: not role_exists(stack, slug), 60, f"{role_name(slug)} dropped")


def role_exists(stack: Stack, slug: str) -> bool:
    with psycopg.connect(stack.shard_dsn) as conn:
        return conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role_name(slug)]).fetchone() is not None
