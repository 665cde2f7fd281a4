"""The platform staff's console (/staff) in a real browser on `make up`'s own stack: a store's owner who is not staff
sees a refusal page; made staff, with an authenticator app (staff cannot sign in without a second factor), they sign
in through the page with a TOTP code, see the tenants with their conditions, suspend and resume their store through
the console, and see the platform's charts. The browser part is web/portal/e2e/staff.e2e.mjs.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import psycopg
import pytest

from tenantry_kernel.testing import wait_until
from tenantry_kernel.testing.totp import Authenticator
from tests.e2e_support import PASSWORD, Stack, remove_leftovers, sign_up, tenant_state, verify_email
from tests.portal_browser import SCREENSHOTS, in_the_browser


@pytest.fixture
def slug(stack: Stack) -> Iterator[str]:
    slug = f"staff-{secrets.token_hex(3)}"
    yield slug
    remove_leftovers(stack, slug)


def test_only_staff_with_a_second_factor_reach_the_console_and_suspend_and_resume_a_store(
    stack: Stack, slug: str
) -> None:
    email = f"ops-{slug}@example.test"
    signup = sign_up(stack, slug, email)
    assert signup.status_code == 202, signup.text
    assert verify_email(stack, email).status_code == 200
    watched, token = signup.headers["Location"], signup.json()["tokens"]["access"]
    wait_until(lambda: tenant_state(stack, watched, token) == "ready", 90, f"{slug} ready")

    common = {"EMAIL": email, "PASSWORD": PASSWORD, "SLUG": slug}
    in_the_browser(stack, "staff.e2e.mjs", "staff e2e (refused)", STEP="refused", **common)

    # Made staff; the next sign-in requires enrolling an authenticator app, done here through the API.
    with psycopg.connect(stack.control_plane_dsn) as conn:
        conn.execute("UPDATE accounts_user SET is_staff = true WHERE email = %s", [email])
    first = stack.portal_call("POST", "/api/v1/auth/sign-in/", json={"email": email, "password": PASSWORD})
    assert first.json()["status"] == "enrolment_required", first.text
    enrolment = stack.portal_call(
        "POST", "/api/v1/auth/sign-in/enrolment/", json={"challenge": first.json()["challenge"]}
    )
    assert enrolment.status_code == 200, enrolment.text
    app = Authenticator(enrolment.json()["otpauth_uri"])
    confirm = {"challenge": first.json()["challenge"], "code": app.code()}
    assert stack.portal_call("POST", "/api/v1/auth/sign-in/enrolment/confirm/", json=confirm).status_code == 200
    secret = parse_qs(urlsplit(enrolment.json()["otpauth_uri"]).query)["secret"][0]

    in_the_browser(
        stack, "staff.e2e.mjs", "staff e2e (console)", STEP="console", TOTP_SECRET=secret,
        TOTP_SPENT=str(app.last_step), **common,
    )  # fmt: skip

    for page in ["staff-refused", "staff-console", "staff-confirm", "staff-suspended", "staff-console-de"]:
        for scheme in ("light", "dark"):
            assert (SCREENSHOTS / f"{page}-{scheme}.png").stat().st_size > 1000, f"{page}-{scheme}.png"
    # The console's suspend and resume reached the control plane: the store is ready again, resumed by the console.
    with psycopg.connect(stack.control_plane_dsn) as conn:
        row = conn.execute("SELECT state, state_reason FROM tenants_tenant WHERE slug = %s", [slug]).fetchone()
    assert row == ("ready", "e2e: resume"), row
