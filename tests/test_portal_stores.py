"""A store's page in the portal, in a real browser on `make up`'s own stack: the owner (signed up, verified and
provisioned through the API) opens the store's page and its members, where the last-owner rule is shown, and
invites someone by email; that person, in a second browser profile, creates their account from the mailed link
and accepts (the used link then says so); the owner changes their role, opens the store through the platform's
single sign-on (landing on the store's own page, signed in, not on JSON) and deletes it with the typed slug.
The browser part is web/portal/e2e/stores.e2e.mjs; screenshots stores-* go to `.local/screenshots/portal/`.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator

import pytest

from tenantry_kernel.testing import wait_until
from tenantry_kernel.testing.mail import link_in
from tests.e2e_support import PASSWORD, Stack, remove_leftovers, sign_up, tenant_state, verify_email
from tests.portal_browser import SCREENSHOTS
from tests.portal_browser import in_the_browser as run_script


@pytest.fixture
def slug(stack: Stack) -> Iterator[str]:
    slug = f"stores-{secrets.token_hex(3)}"
    yield slug
    remove_leftovers(stack, slug)


def test_a_store_page_members_invitations_open_store_and_deletion(stack: Stack, slug: str) -> None:
    owner, member = f"owner-{slug}@example.test", f"member-{slug}@example.test"
    signup = sign_up(stack, slug, owner)
    assert signup.status_code == 202, signup.text
    assert verify_email(stack, owner).status_code == 200
    signed_in = stack.portal_call("POST", "/api/v1/auth/sign-in/", json={"email": owner, "password": PASSWORD})
    assert signed_in.status_code == 200, signed_in.text
    token, watched = signed_in.json()["access"], signup.headers["Location"]
    wait_until(lambda: tenant_state(stack, watched, token) == "ready", 120, f"{slug} ready")

    common = {"SLUG": slug, "PASSWORD": PASSWORD, "MEMBER_EMAIL": member}
    in_the_browser(stack, "invite", EMAIL=owner, **common)

    invitation = stack.mail.wait_for(member, timeout=60)[0]
    in_the_browser(stack, "accept", INVITE_LINK=link_in(invitation), **common)

    in_the_browser(stack, "manage", EMAIL=owner, **common)
    # The page followed the deletion to its end; the API agrees.
    assert tenant_state(stack, watched, token) == "HTTP 404"

    pages = ["store", "members", "members-invited", "accept", "accept-done", "accept-used", "members-roles"]
    for page in [*pages, "open-landing", "delete-dialog", "deleting"]:
        for scheme in ("light", "dark"):
            assert (SCREENSHOTS / f"stores-{page}-{scheme}.png").stat().st_size > 1000, f"stores-{page}-{scheme}.png"


def in_the_browser(stack: Stack, step: str, **env: str) -> None:
    run_script(stack, "stores.e2e.mjs", f"stores e2e ({step})", STEP=step, **env)
