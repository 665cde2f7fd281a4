"""One owner's whole journey through the portal in a real browser on `make up`'s own stack, in one run of
web/portal/e2e/journey.e2e.mjs: sign-up on the page (double-clicked), the set-up followed live, the address confirmed
from the real mail, an authenticator app set up and signed in again with its code, a card, the upgrade with its
price first, the invoice's PDF, a member invited who accepts in a second browser profile, "Open store" by single
sign-on, and the store deleted. The mailed links come from this run's SMTP sink (the script asks for them). Here: the
double click made one account and one signup; the store is gone from the database's shard; the member joined.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator

import psycopg
import pytest

from tenantry_kernel.provisioning.naming import role_name
from tenantry_kernel.testing import wait_until
from tests.e2e_support import PASSWORD, Stack, remove_leftovers
from tests.portal_browser import SCREENSHOTS, in_the_browser

PAGES = ["sign-up", "ready", "verified", "totp-wrong", "totp-on", "stores", "upgrade-price", "billing", "billing-de"]
PAGES += ["invited", "member-accepted", "open-store", "delete", "deleted", "deleted-de"]
DARK = ["totp-on", "billing"]


@pytest.fixture
def slug(stack: Stack) -> Iterator[str]:
    slug = f"journey-{secrets.token_hex(3)}"
    yield slug
    remove_leftovers(stack, slug)


def test_one_owner_from_sign_up_to_deleting_the_store(stack: Stack, slug: str) -> None:
    owner, member = f"owner-{slug}@example.test", f"member-{slug}@example.test"
    shots = [SCREENSHOTS / f"journey-{page}-light.png" for page in PAGES]
    shots += [SCREENSHOTS / f"journey-{page}-dark.png" for page in DARK]
    for shot in shots:
        shot.unlink(missing_ok=True)

    env = {"SLUG": slug, "EMAIL": owner, "MEMBER_EMAIL": member, "PASSWORD": PASSWORD}
    said = in_the_browser(stack, "journey.e2e.mjs", "journey e2e", **env)
    print(said)

    with psycopg.connect(stack.control_plane_dsn) as conn:
        # The double click: one account and one signup answered, however many requests reached the API.
        owners = conn.execute("SELECT count(*) FROM accounts_user WHERE email = %s", [owner]).fetchone()
        keys = conn.execute(
            "SELECT count(*) FROM signup_idempotentrequest r JOIN accounts_user u ON u.id = r.user_id "
            "WHERE u.email = %s",
            [owner],
        ).fetchone()
        # What the pages did is what the database holds: the owner's address confirmed, the member's account made.
        verified = conn.execute(
            "SELECT email_verified_at IS NOT NULL FROM accounts_user WHERE email = %s", [owner]
        ).fetchone()
        members = conn.execute("SELECT count(*) FROM accounts_user WHERE email = %s", [member]).fetchone()
    assert owners == (1,), owners
    assert keys == (1,), keys
    assert verified == (True,), verified
    assert members == (1,), members
    wait_until(lambda: not role_exists(stack, slug), 60, f"{role_name(slug)} dropped")

    for shot in shots:
        assert shot.stat().st_size > 1000, shot.name


def role_exists(stack: Stack, slug: str) -> bool:
    with psycopg.connect(stack.shard_dsn) as conn:
        return conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role_name(slug)]).fetchone() is not None
