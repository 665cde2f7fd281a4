"""The portal web app in a real browser on `make up`'s own stack: signup through the API, the verification link from
the real mail opened in the portal, sign-in through its page, the stores page, then "Forgot your password?", a new
password from the mailed reset link and sign-in with it; axe-core on every page and screenshots
(light and dark) in `.local/screenshots/portal/`. The browser part is web/portal/e2e/portal.e2e.mjs (playwright-core
with Debian's chromium, headless); this test starts the stack, signs up and hands the browser the mailed links.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator

import psycopg
import pytest

from tenantry_kernel.provisioning.naming import role_name
from tenantry_kernel.testing import wait_until
from tenantry_kernel.testing.mail import link_in
from tests.e2e_support import PASSWORD, Stack, remove_leftovers, sign_up, tenant_state
from tests.portal_browser import SCREENSHOTS, in_the_browser

NEW_PASSWORD = "a brand new passphrase 43"
PAGES = ["verify-email", "sign-in", "sign-in-error", "stores", "stores-de", "reset-password-incomplete"]
PAGES += ["forgot-password", "forgot-password-sent", "reset-password", "reset-password-done", "reset-password-spent"]
SHOTS = [SCREENSHOTS / f"{page}-{scheme}.png" for page in PAGES for scheme in ("light", "dark")]


@pytest.fixture
def slug(stack: Stack) -> Iterator[str]:
    slug = f"portal-{secrets.token_hex(3)}"
    yield slug
    remove_leftovers(stack, slug)


def test_sign_up_verify_in_the_portal_sign_in_see_my_stores_and_reset_the_password(stack: Stack, slug: str) -> None:
    email = f"owner-{slug}@example.test"
    signup = sign_up(stack, slug, email)
    assert signup.status_code == 202, signup.text
    # This test's own screenshots only: the other areas' tests write theirs into the same folder.
    for shot in SHOTS:
        shot.unlink(missing_ok=True)
    # The verification link from the mail, then a reset asked for on the sign-in page's "Forgot your password?": the
    # script asks for both mailed links ("MAIL?"), which lead to the portal.
    env = {"EMAIL": email, "SLUG": slug, "PASSWORD": PASSWORD, "NEW_PASSWORD": NEW_PASSWORD}
    print(in_the_browser(stack, "portal.e2e.mjs", "portal e2e", **env))
    links = [link_in(message) for message in stack.mail.wait_for(email, timeout=60, count=2)]
    assert links[0].startswith(f"{stack.portal_web}/verify-email?"), links
    assert links[1].startswith(f"{stack.portal_web}/reset-password?"), links

    for shot in SHOTS:
        assert shot.stat().st_size > 1000, shot.name

    # The store the signup made is deleted again once provisioned (the fixture removes what a failure leaves), by a
    # new session: the reset signed out the signup's.
    signed_in = stack.portal_call("POST", "/api/v1/auth/sign-in/", json={"email": email, "password": NEW_PASSWORD})
    assert signed_in.status_code == 200, signed_in.text
    token = signed_in.json()["access"]
    watched = signup.headers["Location"]
    wait_until(lambda: tenant_state(stack, watched, token) == "ready", 90, f"{slug} ready")
    deleted = stack.portal_call("DELETE", watched, token, json={"deletion_policy": "Delete"})
    assert deleted.status_code == 202, deleted.text
    wait_until(lambda: not role_exists(stack, slug), 60, f"{role_name(slug)} dropped")


def role_exists(stack: Stack, slug: str) -> bool:
    with psycopg.connect(stack.shard_dsn) as conn:
        return conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role_name(slug)]).fetchone() is not None
