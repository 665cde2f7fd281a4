"""Test helpers of portal identity: an authenticator app and API clients from addresses of their own."""

from __future__ import annotations

import secrets

from rest_framework.test import APIClient

from tenantry_kernel.testing.totp import Authenticator

__all__ = ["Authenticator", "client_from_own_address"]


def client_from_own_address() -> APIClient:
    """A client with an address of its own, so per-address budgets of other tests never count against it."""
    client = APIClient(REMOTE_ADDR=f"10.{secrets.randbelow(256)}.{secrets.randbelow(256)}.{secrets.randbelow(254) + 1}")
    client.default_format = "json"
    return client
