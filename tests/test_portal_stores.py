"""A store's page in the portal, in a real browser on `make up`'s own stack: the owner (signed up, verified and
provisioned through the API) opens the store's page and its members, where the last-owner rule is shown, and
invites someone by email; that person, in a second browser profile, creates their account from the mailed link
and accepts (the used link then says so); the owner changes their role. The browser part is
web/portal/e2e/stores.e2e.mjs; screenshots stores-* go to `.local/screenshots/portal/`. "Open store" and deleting
through the page are the journey's (test_portal_journey.py); here the store is deleted through the API.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator

import pytest

from tenantry_kernel.testing import wait_until
from tests.e2e_support import PASSWORD, Stack, remove_leftovers, sign_up, tenant_state, verify_email
from tests.portal_browser import SCREENSHOTS, in_the_browser


@pytest.fixture
def slug(stack: Stack) -> Iterator[str]:
    slug = f"stores-{secrets.token_hex(3)}"
    yield slug
    remove_leftovers(stack, slug)


def test_a_store_page_members_and_invitations(stack: Stack, slug: str) -> None:
    owner, member = f"owner-{slug}@example.test", f"member-{slug}@example.test"
    signup = sign_up(stack, slug, owner)
    assert signup.status_code == 202, signup.text
    assert verify_email(stack, owner).status_code == 200
    signed_in = stack.portal_call("POST", "/api/v1/auth/sign-in/", json={"email": owner, "password": PASSWORD})
    assert signed_in.status_code == 200, signed_in.text
    token, watched = signed_in.json()["access"], signup.headers["Location"]
    wait_until(lambda: tenant_state(stack, watched, token) == "ready", 120, f"{slug} ready")

    env = {"SLUG": slug, "PASSWORD": PASSWORD, "EMAIL": owner, "MEMBER_EMAIL": member}
    print(in_the_browser(stack, "stores.e2e.mjs", "stores e2e", **env))

    deleted = stack.portal_call("DELETE", watched, token, json={"deletion_policy": "Delete"})
    assert deleted.status_code == 202, deleted.text
    wait_until(lambda: tenant_state(stack, watched, token) == "HTTP 404", 90, f"{slug} deleted")

    pages = ["store", "members", "members-invited", "accept", "accept-done", "accept-used", "members-roles"]
    for page in pages:
        for scheme in ("light", "dark"):
            assert (SCREENSHOTS / f"stores-{page}-{scheme}.png").stat().st_size > 1000, f"stores-{page}-{scheme}.png"
