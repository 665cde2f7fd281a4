"""The account's security page of the portal in a real browser on `make up`'s own stack: signup and the address
confirmed through the API, two more sessions opened through it, then (web/portal/e2e/security.e2e.mjs) sign-in
through the page, another device signed out, an authenticator app set up with codes computed from the key the
page shows (a wrong one refused), the backup codes downloaded, sign-out and sign-in again with a backup code, and
the password changed. This test then checks what the API says: the signed-out sessions are over, two-step
verification is on, the new password works and asks for a code, and a downloaded backup code answers it. Then,
with two-step verification turned off and the account made staff (who must have it), the browser sets it up
while signing in.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterator

import psycopg
import pytest

from tests.e2e_support import PASSWORD, Stack, remove_leftovers, sign_up, verify_email
from tests.portal_browser import SCREENSHOTS, in_the_browser

NEW_PASSWORD = "a brand new passphrase 57"
OTHER = "security-e2e other device"
SECOND = "security-e2e second device"


@pytest.fixture
def slug(stack: Stack) -> Iterator[str]:
    slug = f"sec-{secrets.token_hex(3)}"
    yield slug
    remove_leftovers(stack, slug)


def sign_in(stack: Stack, email: str, password: str, device: str) -> dict[str, object]:
    answer = stack.portal_call(
        "POST", "/api/v1/auth/sign-in/", json={"email": email, "password": password}, headers={"User-Agent": device}
    )
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


def test_two_step_verification_sessions_and_password_in_the_portal(stack: Stack, slug: str) -> None:
    email = f"owner-{slug}@example.test"
    signup = sign_up(stack, slug, email)
    assert signup.status_code == 202, signup.text
    verified = verify_email(stack, email)
    assert verified.status_code == 200, verified.text
    other = sign_in(stack, email, PASSWORD, OTHER)["refresh"]
    second = sign_in(stack, email, PASSWORD, SECOND)["refresh"]

    common = {"EMAIL": email, "PASSWORD": PASSWORD, "NEW_PASSWORD": NEW_PASSWORD}
    output = in_the_browser(stack, "security.e2e.mjs", "security e2e (security)", STEP="security", **common)

    # The device signed out on the page, and the one the password change signed out, are over.
    for refresh in (other, second):
        refused = stack.portal_call("POST", "/api/v1/auth/refresh/", json={"refresh": refresh})
        assert refused.status_code == 401, refused.text
    # The old password is gone; the new one asks for the second factor, which a downloaded backup code answers.
    old = stack.portal_call("POST", "/api/v1/auth/sign-in/", json={"email": email, "password": PASSWORD})
    assert old.status_code == 401, old.text
    challenge = sign_in(stack, email, NEW_PASSWORD, "pytest")
    assert challenge["status"] == "two_factor_required", challenge
    backup = re.search(r"^BACKUP_CODES=(\S+)$", output, re.MULTILINE)
    assert backup, output
    answered = stack.portal_call(
        "POST", "/api/v1/auth/sign-in/challenge/", json={"challenge": challenge["challenge"], "code": backup.group(1)}
    )
    assert answered.status_code == 200, answered.text
    access = str(answered.json()["access"])
    status = stack.portal_call("GET", "/api/v1/auth/two-factor/", access)
    assert status.json() == {
        "enabled": True,
        "methods": ["totp", "backup_code"],
        "backup_codes_remaining": 8,  # one answered the browser's sign-in, one here
        "required": False,
    }, status.text

    # An account that must have two-step verification and has none sets it up while signing in: turned off here
    # with another backup code, the account made staff (who must have it).
    another = re.search(r"^BACKUP_CODE_2=(\S+)$", output, re.MULTILINE)
    assert another, output
    off = stack.portal_call("POST", "/api/v1/auth/two-factor/disable/", access, json={"code": another.group(1)})
    assert off.status_code == 204, off.text
    with psycopg.connect(stack.control_plane_dsn) as conn:
        conn.execute("UPDATE accounts_user SET is_staff = true WHERE email = %s", [email])
    in_the_browser(stack, "security.e2e.mjs", "security e2e (enrolment)", STEP="enrolment", **common)
    again = sign_in(stack, email, NEW_PASSWORD, "pytest")
    assert again["status"] == "two_factor_required", again

    pages = ["page", "enrol", "wrong-code", "backup-codes", "on", "challenge", "password-error", "password-changed"]
    for page in [*pages, "de", "sign-in-enrol", "sign-in-codes"]:
        for scheme in ("light", "dark"):
            assert (SCREENSHOTS / f"security-{page}-{scheme}.png").stat().st_size > 1000, f"security-{page}-{scheme}"
