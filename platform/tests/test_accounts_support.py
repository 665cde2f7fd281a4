"""Test helpers of portal identity: an authenticator app, API clients from addresses of their own, signing in and
turning two-factor on through the API (for tests of what needs an account with a second factor, like the admin)."""

from __future__ import annotations

import secrets
from typing import Any

from rest_framework.test import APIClient

from tenantry_kernel.testing.totp import Authenticator

from .conftest import PASSWORD

__all__ = ["AUTH", "Authenticator", "client_from_own_address", "enrol", "sign_in"]

AUTH = "/api/v1/auth"


def client_from_own_address() -> APIClient:
    """A client with an address of its own, so per-address budgets of other tests never count against it."""
    client = APIClient(REMOTE_ADDR=f"10.{secrets.randbelow(256)}.{secrets.randbelow(256)}.{secrets.randbelow(254) + 1}")
    client.default_format = "json"
    return client


def sign_in(client: APIClient, email: str, password: str = PASSWORD) -> Any:
    return client.post(f"{AUTH}/sign-in/", {"email": email, "password": password}, format="json")


def enrol(access: str) -> tuple[Authenticator, list[str]]:
    """Two-factor turned on through the API; the authenticator app and the backup codes."""
    client = client_from_own_address()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")
    started = client.post(f"{AUTH}/two-factor/totp/")
    assert started.status_code == 201, started.content
    app = Authenticator(started.json()["otpauth_uri"])
    confirmed = client.post(f"{AUTH}/two-factor/totp/confirm/", {"code": app.code()}, format="json")
    assert confirmed.status_code == 200, confirmed.content
    return app, confirmed.json()["backup_codes"]
