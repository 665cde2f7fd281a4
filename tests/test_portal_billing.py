"""A store's billing in the portal, in a real browser on `make up`'s own stack: signup, verification and the wait
for the store through the API, then web/portal/e2e/billing.e2e.mjs signs in through the page, saves a card through
Stripe.js (localstripe's stand-in), moves up twice with the price shown first, waits for the invoice (the journey,
test_portal_journey.py, downloads an invoice's PDF) and sees the charts; screenshots (light and dark, axe-audited) in
`.local/screenshots/portal/billing-*.png`. The store is deleted at the end, by the fixture, whatever happened."""

from __future__ import annotations

import secrets
from collections.abc import Iterator

import psycopg
import pytest

from tenantry_kernel.provisioning.naming import role_name
from tenantry_kernel.testing import wait_until
from tests.e2e_support import PASSWORD, Stack, remove_leftovers, sign_up, tenant_state, verify_email
from tests.portal_browser import SCREENSHOTS, in_the_browser


class Store:
    def __init__(self, slug: str) -> None:
        self.slug = slug
        self.email = f"owner-{slug}@example.test"
        self.watched = ""  # the API's address of the store, once signed up
        self.token = ""


@pytest.fixture
def store(stack: Stack) -> Iterator[Store]:
    made = Store(f"billing-{secrets.token_hex(3)}")
    yield made
    if made.watched and made.token:
        deleted = stack.portal_call("DELETE", made.watched, made.token, json={"deletion_policy": "Delete"})
        assert deleted.status_code == 202, deleted.text
        wait_until(lambda: not role_exists(stack, made.slug), 90, f"{role_name(made.slug)} dropped")
    remove_leftovers(stack, made.slug)


def role_exists(stack: Stack, slug: str) -> bool:
    with psycopg.connect(stack.shard_dsn) as conn:
        return conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role_name(slug)]).fetchone() is not None


def test_save_a_card_upgrade_with_the_price_first_download_the_invoice_and_see_the_charts(
    stack: Stack, store: Store
) -> None:
    signup = sign_up(stack, store.slug, store.email)
    assert signup.status_code == 202, signup.text
    store.watched = signup.headers["Location"]
    verified = verify_email(stack, store.email)
    assert verified.status_code == 200, verified.text
    signed_in = stack.portal_call("POST", "/api/v1/auth/sign-in/", json={"email": store.email, "password": PASSWORD})
    assert signed_in.status_code == 200, signed_in.text
    store.token = signed_in.json()["access"]
    wait_until(lambda: tenant_state(stack, store.watched, store.token) == "ready", 120, f"{store.slug} ready")

    env = {"EMAIL": store.email, "PASSWORD": PASSWORD, "SLUG": store.slug}
    said = in_the_browser(stack, "billing.e2e.mjs", "billing e2e", **env)
    print(said)

    # What the browser did is what the API holds: Growth, paid by the card saved through Stripe.js.
    subscription = stack.portal_call("GET", f"/api/v1/tenants/{store.slug}/subscription", store.token).json()
    assert subscription["plan"] == "growth", subscription
    assert subscription["subscription"]["status"] == "active", subscription
    cards = stack.portal_call("GET", f"/api/v1/tenants/{store.slug}/payment-methods", store.token).json()["results"]
    assert [(card["last4"], card["default"]) for card in cards] == [("4242", True)]
    invoices = stack.portal_call("GET", f"/api/v1/tenants/{store.slug}/invoices/", store.token).json()["results"]
    assert invoices, "no invoice"
    pages = ("billing", "billing-card", "billing-preview", "billing-preview-prorated", "billing-paid", "billing-de")
    for page in pages:
        for scheme in ("light", "dark"):
            assert (SCREENSHOTS / f"{page}-{scheme}.png").stat().st_size > 1000, f"{page}-{scheme}.png"
