"""The shared web packages (web/packages: @tenantry/ui's notices, @tenantry/i18n's and @tenantry/theming's pickers)
in a real browser on `make up`'s own stack: signup and the address confirmed through the API, two more sessions
opened through it, then web/portal/e2e/packages.e2e.mjs signs them out on the security page at 360 px and checks the
notices they leave (side by side without overlapping, below the page's content, held under the pointer, gone by
themselves after), then the language and colour-scheme pickers. Here: both sessions are over. Screenshots
packages-notices-360-{light,dark} in `.local/screenshots/portal/`.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator

import pytest

from tests.e2e_support import PASSWORD, Stack, remove_leftovers, sign_up, verify_email
from tests.portal_browser import in_the_browser

DEVICES = ("packages-e2e device one", "packages-e2e device two")


@pytest.fixture
def slug(stack: Stack) -> Iterator[str]:
    slug = f"pkg-{secrets.token_hex(3)}"
    yield slug
    remove_leftovers(stack, slug)


def test_notices_and_pickers_of_the_shared_packages(stack: Stack, slug: str) -> None:
    email = f"owner-{slug}@example.test"
    signup = sign_up(stack, slug, email)
    assert signup.status_code == 202, signup.text
    verified = verify_email(stack, email)
    assert verified.status_code == 200, verified.text
    refresh_tokens = []
    for device in DEVICES:
        answer = stack.portal_call(
            "POST", "/api/v1/auth/sign-in/", json={"email": email, "password": PASSWORD}, headers={"User-Agent": device}
        )
        assert answer.status_code == 200, answer.text
        refresh_tokens.append(answer.json()["refresh"])

    output = in_the_browser(stack, "packages.e2e.mjs", "packages e2e", EMAIL=email, PASSWORD=PASSWORD)

    assert "the notices left by themselves" in output, output
    for refresh in refresh_tokens:
        refused = stack.portal_call("POST", "/api/v1/auth/refresh/", json={"refresh": refresh})
        assert refused.status_code == 401, refused.text
