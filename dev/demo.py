"""What `make demo` adds to `make up`: a platform admin, the store `demo` signed up by its owner, a small catalog.

`dev/up.py --demo` calls `seed_demo` once every process runs and prints what it returns (how to sign in).
Everything goes through the platform's own ways in: the control plane's `createsuperuser`, the portal API's
signup, the tenant app's `seed_demo_catalog` (catalog actions). A second run reuses what exists; the
passwords are made once and kept in `.local/secrets/`.
"""

from __future__ import annotations

import json
import secrets
import subprocess
import sys
import time
import urllib.error
import urllib.request
from typing import Any

from services import LOCAL, ROOT
from up import CONTROL_PLANE, TENANT_APP, Component

ADMIN_EMAIL = "admin@tenantry.local"
OWNER_EMAIL = "demo@tenantry.local"
SLUG = "demo"
SEARCH_EXAMPLE = "headlamp"  # a product of seed_demo_catalog's catalog


class DemoError(Exception):
    """The demo could not be set up; the message says why and what to do."""


def demo_secret(name: str) -> str:
    """A password made at first use and kept in `.local/secrets/` (never committed)."""
    path = LOCAL / "secrets" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        path.write_text(secrets.token_urlsafe(18))
        path.chmod(0o600)
    return path.read_text().strip()


def manage(component: Component, env: dict[str, str], *arguments: str, extra: dict[str, str] | None = None) -> str:
    """Run one of the component's management commands; its output, or DemoError with it."""
    result = subprocess.run(
        [sys.executable, "manage.py", *arguments],
        cwd=ROOT / component.directory,
        env={**component.environment(env), **(extra or {})},
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise DemoError(f"`manage.py {arguments[0]}` of the {component.title} failed: {result.stderr.strip()[-800:]}")
    return result.stdout


def call(method: str, url: str, body: Any = None, token: str = "") -> tuple[int, Any]:
    """One JSON request to our own loopback API: (status, parsed body)."""
    headers = {"Accept": "application/json"}
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(url, data=data, headers=headers, method=method)  # noqa: S310 (our loopback URL)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 (our own loopback URL)
            status, raw = int(response.status), response.read()
    except urllib.error.HTTPError as error:
        status, raw = error.code, error.read()
    try:
        return status, json.loads(raw) if raw else None
    except ValueError:
        return status, raw.decode(errors="replace")


def ensure_admin(portal: str, env: dict[str, str], password: str) -> str:
    """The platform admin (staff, superuser) in the control plane's database; what its sign-in answers now."""
    exists = manage(
        CONTROL_PLANE, env, "shell", "-c",
        "from django.contrib.auth import get_user_model; "
        f"print(get_user_model().objects.filter(email={ADMIN_EMAIL!r}).exists())",
    ).strip().endswith("True")  # fmt: skip
    if not exists:
        manage(
            CONTROL_PLANE, env, "createsuperuser", "--noinput",
            extra={"DJANGO_SUPERUSER_EMAIL": ADMIN_EMAIL, "DJANGO_SUPERUSER_PASSWORD": password},
        )  # fmt: skip
    status, answer = call("POST", f"{portal}/api/v1/auth/sign-in/", {"email": ADMIN_EMAIL, "password": password})
    if status != 200:
        raise DemoError(
            f"{ADMIN_EMAIL} exists but does not sign in with the password in .local/secrets/demo-admin-password "
            f"({status} {answer}); reset the local data (README, Troubleshooting) or remove that user"
        )
    # Staff get no session before they have a second factor: "enrolment_required", later "two_factor_required".
    return str(answer.get("status", "signed in")) if isinstance(answer, dict) else "signed in"


def owner_session(portal: str, password: str) -> str:
    """An access token of the demo owner: signed up on the first run, signed in on the next ones."""
    status, answer = call("POST", f"{portal}/api/v1/auth/sign-in/", {"email": OWNER_EMAIL, "password": password})
    if status == 200 and isinstance(answer, dict) and "access" in answer:
        return str(answer["access"])
    if status == 200:
        raise DemoError(f"{OWNER_EMAIL} was asked for a second factor ({answer}); sign in by hand instead")
    body = {
        "email": OWNER_EMAIL,
        "password": password,
        "full_name": "Demo Owner",
        "store_name": "Demo",
        "slug": SLUG,
        "plan": "free",
    }
    status, answer = call("POST", f"{portal}/api/v1/signup/", body)
    if status != 202 or not isinstance(answer, dict):
        raise DemoError(
            f"signing up the store {SLUG!r} failed ({status} {answer}); if {OWNER_EMAIL} or the slug exists from "
            "an earlier run with another password, reset the local data (README, Troubleshooting)"
        )
    return str(answer["tokens"]["access"])


def verify_owner_email(portal: str, env: dict[str, str], token: str) -> None:
    """Confirm the owner's address as its emailed link would: stores link a platform sign-in only to a verified one."""
    status, me = call("GET", f"{portal}/api/v1/auth/me/", token=token)
    if status == 200 and isinstance(me, dict) and me.get("email_verified"):
        return
    link = manage(
        CONTROL_PLANE, env, "shell", "-c",
        "import json; from django.contrib.auth import get_user_model; "
        "from django.utils.encoding import force_bytes; from django.utils.http import urlsafe_base64_encode; "
        "from tenantry_kernel.identity.links import verification_tokens; "
        f"user = get_user_model().objects.get(email={OWNER_EMAIL!r}); "
        "print(json.dumps({'uid': urlsafe_base64_encode(force_bytes(user.pk)), "
        "'token': verification_tokens.make_token(user)}))",
    )  # fmt: skip
    status, answer = call("POST", f"{portal}/api/v1/auth/email/verify/", json.loads(link.strip().splitlines()[-1]))
    if status != 200:
        raise DemoError(f"confirming {OWNER_EMAIL} failed ({status} {answer})")


def wait_until_ready(portal: str, token: str, seconds: float = 180) -> dict[str, Any]:
    """The store as its owner sees it, once provisioning made it ready."""
    deadline = time.monotonic() + seconds
    while True:
        status, tenant = call("GET", f"{portal}/api/v1/tenants/{SLUG}/", token=token)
        if status != 200 or not isinstance(tenant, dict):
            raise DemoError(
                f"{OWNER_EMAIL} has no store {SLUG!r} ({status} {tenant}); it may have been deleted: "
                "reset the local data (README, Troubleshooting) for a new one"
            )
        if tenant["state"] == "ready":
            return tenant
        if tenant["state"] in ("failed", "deleting", "deleted", "suspended"):
            raise DemoError(f"the store {SLUG!r} is {tenant['state']} ({tenant.get('state_reason', '')})")
        if time.monotonic() > deadline:
            raise DemoError(f"the store {SLUG!r} was still {tenant['state']} after {seconds:.0f} s")
        time.sleep(1)


def wait_for_search(portal: str, seconds: float = 30) -> int:
    """How many products global search finds for the example query (events reach it a moment after the seed)."""
    deadline = time.monotonic() + seconds
    while True:
        status, page = call("GET", f"{portal}/api/v1/search/?q={SEARCH_EXAMPLE}&kind=product")
        found = len(page["results"]) if status == 200 and isinstance(page, dict) else 0
        if found or time.monotonic() > deadline:
            return found
        time.sleep(1)


def seed_demo(portal: str, tenant_port: int, env: dict[str, str]) -> str:
    """Make (or find) the demo admin, store and catalog; the text that tells how to sign in."""
    admin_password = demo_secret("demo-admin-password")
    owner_password = demo_secret("demo-owner-password")
    try:
        admin_status = ensure_admin(portal, env, admin_password)
        token = owner_session(portal, owner_password)
        verify_owner_email(portal, env, token)
        wait_until_ready(portal, token)
        # The owner reaches the store through the platform's member events: wait for them there.
        seeded = manage(TENANT_APP, env, "seed_demo_catalog", "--tenant", SLUG, "--wait", "60").strip()
        found = wait_for_search(portal)
    except DemoError as error:
        return f"demo: {error}\n(the platform keeps running; Ctrl-C stops it)"
    store = f"http://{SLUG}.localhost:{tenant_port}"
    search = f"{portal}/api/v1/search/?q={SEARCH_EXAMPLE}"
    return "\n".join(
        [
            "",
            "Demo ready:",
            f"  portal          {portal}/api/v1/",
            f"  platform admin  {ADMIN_EMAIL} / {admin_password}   (.local/secrets/demo-admin-password)",
            f"                  staff enrol a second factor first (sign-in answers {admin_status!r}):",
            f"                  POST {portal}/api/v1/auth/sign-in/, then …/sign-in/enrolment/ and …/confirm/",
            f"                  with the challenge; then {portal}/admin/ takes the password and a code",
            f"  store owner     {OWNER_EMAIL} / {owner_password}   (.local/secrets/demo-owner-password)",
            f"  store           {store}/   ({seeded})",
            f"                  API docs {store}/api/docs/",
            "  owner signs in  through the platform: curl -s -X POST "
            f"{store}/api/v1/auth/sso/platform/start/ → open its authorization_url,",
            "                  sign in as the owner; the callback answers the store's tokens",
            f"  global search   {search}   ({found} found)",
        ]
    )
