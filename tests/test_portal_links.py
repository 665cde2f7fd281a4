"""Emailed account links that have expired by time, in the portal in a real browser: a `make up` stack of its own whose
control plane is started with a short PASSWORD_RESET_TIMEOUT (the links' lifetime, a setting), no clock touched. The
signup's verification link, opened after that, says it expired and offers a new one, which (from the real mail)
confirms the address; a reset link opened too late refuses the new password and leads to asking for a new one
(web/portal/e2e/links.e2e.mjs). Here: the address is confirmed, the password unchanged; the store is deleted again.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Iterator

import psycopg
import pytest

from tenantry_kernel.provisioning.naming import role_name
from tenantry_kernel.testing import wait_until
from tests.e2e_support import PASSWORD, Stack, remove_leftovers, running_stack, sign_up, tenant_state
from tests.portal_browser import SCREENSHOTS, in_the_browser

LINK_SECONDS = 15


@pytest.fixture(scope="module")
def short_links() -> Iterator[Stack]:
    """`make up`'s stack whose emailed links live LINK_SECONDS."""
    with running_stack({"PASSWORD_RESET_TIMEOUT": str(LINK_SECONDS)}) as running:
        yield running


@pytest.fixture
def slug(short_links: Stack) -> Iterator[str]:
    slug = f"links-{secrets.token_hex(3)}"
    yield slug
    remove_leftovers(short_links, slug)


def test_expired_links_say_so_and_lead_to_new_ones(short_links: Stack, slug: str) -> None:
    stack = short_links
    email = f"owner-{slug}@example.test"
    signup = sign_up(stack, slug, email)
    assert signup.status_code == 202, signup.text
    stack.mail.wait_for(email, timeout=60)
    time.sleep(LINK_SECONDS + 2)  # the link was made before its mail arrived: older than LINK_SECONDS now

    env = {"EMAIL": email, "NEW_PASSWORD": "a brand new passphrase 71", "LINK_SECONDS": str(LINK_SECONDS)}
    print(in_the_browser(stack, "links.e2e.mjs", "links e2e", **env))

    with psycopg.connect(stack.control_plane_dsn) as conn:
        verified = conn.execute("SELECT email_verified_at IS NOT NULL FROM accounts_user WHERE email = %s", [email])
        assert verified.fetchone() == (True,)
    # The expired reset link changed nothing: the old password still signs in.
    signed_in = stack.portal_call("POST", "/api/v1/auth/sign-in/", json={"email": email, "password": PASSWORD})
    assert signed_in.status_code == 200, signed_in.text
    access, watched = signed_in.json()["access"], signup.headers["Location"]

    for page in ("verify-expired", "verify-expired-de", "verify-sent", "reset-expired"):
        for scheme in ("light", "dark"):
            assert (SCREENSHOTS / f"links-{page}-{scheme}.png").stat().st_size > 1000, f"links-{page}-{scheme}.png"

    wait_until(lambda: tenant_state(stack, watched, access) == "ready", 120, f"{slug} ready")
    deleted = stack.portal_call("DELETE", watched, access, json={"deletion_policy": "Delete"})
    assert deleted.status_code == 202, deleted.text
    wait_until(lambda: not role_exists(stack, slug), 60, f"{role_name(slug)} dropped")


def role_exists(stack: Stack, slug: str) -> bool:
    with psycopg.connect(stack.shard_dsn) as conn:
        return conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role_name(slug)]).fetchone() is not None
