"""Sign-up through the portal's page in a real browser on `make up`'s own stack, and the store's set-up followed live.

A store TAKEN is made through the API first, so the page can show a taken address (with the API's suggestions, and
its field error when sent anyway). Then the page signs up SLUG on the Starter plan; the first answer is dropped on its
way back (the store is made), the page is reloaded and the same form sent again with a double click; it follows the
set-up on /stores/<slug>/progress until the store's address appears (web/portal/e2e/signup.e2e.mjs). Here: the
lost answer, the reload and the double click made one store and one account with one Idempotency-Key (the database
says so), then both stores are deleted again; the fixture removes what a failed run leaves.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator

import psycopg
import pytest

from tenantry_kernel.provisioning.naming import role_name
from tenantry_kernel.testing import wait_until
from tests.e2e_support import PASSWORD, Stack, remove_leftovers, sign_up, tenant_state
from tests.portal_browser import SCREENSHOTS, in_the_browser


@pytest.fixture
def slugs(stack: Stack) -> Iterator[tuple[str, str]]:
    token = secrets.token_hex(3)
    pair = (f"signup-{token}", f"taken-{token}")
    yield pair
    for slug in pair:
        remove_leftovers(stack, slug)


def test_sign_up_through_the_page_and_follow_the_store_live(stack: Stack, slugs: tuple[str, str]) -> None:
    slug, taken = slugs
    email = f"owner-{slug}@example.test"
    other = sign_up(stack, taken, f"owner-{taken}@example.test")
    assert other.status_code == 202, other.text

    said = in_the_browser(stack, "signup.e2e.mjs", "signup e2e", SLUG=slug, TAKEN=taken, EMAIL=email, PASSWORD=PASSWORD)
    print(said)

    # The lost answer, the reload and the double click made one store and one account: one signup, however many
    # requests reached the API.
    with psycopg.connect(stack.control_plane_dsn) as conn:
        stores = conn.execute("SELECT count(*) FROM tenants_tenant WHERE slug = %s", [slug]).fetchone()
        owners = conn.execute("SELECT count(*) FROM accounts_user WHERE email = %s", [email]).fetchone()
        keys = conn.execute(
            "SELECT count(*) FROM signup_idempotentrequest r JOIN accounts_user u ON u.id = r.user_id "
            "WHERE u.email = %s",
            [email],
        ).fetchone()
    assert stores == (1,), stores
    assert owners == (1,), owners
    assert keys == (1,), keys  # one Idempotency-Key answered: the requests before and after the reload shared it
    assert stack.mail.wait_for(email, timeout=60), "no verification mail for the new owner"

    for page in ("signup-form", "signup-slug-taken", "signup-field-error", "signup-ready", "signup-form-de"):
        for scheme in ("light", "dark"):
            assert (SCREENSHOTS / f"{page}-{scheme}.png").stat().st_size > 1000, f"{page}-{scheme}.png"

    # Both stores deleted again once provisioned, each by its owner.
    for store, owner in ((slug, email), (taken, f"owner-{taken}@example.test")):
        delete_store(stack, store, owner)
    for store in (slug, taken):
        wait_until(lambda store=store: not role_exists(stack, store), 60, f"{role_name(store)} dropped")


def delete_store(stack: Stack, slug: str, owner: str) -> None:
    signed_in = stack.portal_call("POST", "/api/v1/auth/sign-in/", json={"email": owner, "password": PASSWORD})
    assert signed_in.status_code == 200, signed_in.text
    access = signed_in.json()["access"]
    watched = f"/api/v1/tenants/{slug}/"
    wait_until(lambda: tenant_state(stack, watched, access) == "ready", 90, f"{slug} ready")
    deleted = stack.portal_call("DELETE", watched, access, json={"deletion_policy": "Delete"})
    assert deleted.status_code == 202, deleted.text


def role_exists(stack: Stack, slug: str) -> bool:
    with psycopg.connect(stack.shard_dsn) as conn:
        return conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role_name(slug)]).fetchone() is not None
