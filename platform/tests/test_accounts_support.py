"""Test helpers of portal identity: an authenticator app and API clients from addresses of their own."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import struct
import time
from base64 import b32decode
from urllib.parse import parse_qs, urlsplit

from rest_framework.test import APIClient


class Authenticator:
    """The user's authenticator app, set up from the otpauth URI the API handed out."""

    def __init__(self, otpauth_uri: str) -> None:
        parts = urlsplit(otpauth_uri)
        assert (parts.scheme, parts.netloc) == ("otpauth", "totp")
        query = parse_qs(parts.query)
        secret = query["secret"][0]
        self.issuer = query["issuer"][0]
        self.key = b32decode(secret + "=" * (-len(secret) % 8))
        self.step = int(query["period"][0])
        self.digits = int(query["digits"][0])
        self.last_step = -1

    def _at(self, step: int) -> str:
        # RFC 6238 over RFC 4226, written out here rather than borrowed from the library the server uses.
        digest = hmac.new(self.key, struct.pack(">Q", step), hashlib.sha1).digest()
        offset = digest[-1] & 0x0F
        number = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
        return str(number % 10**self.digits).zfill(self.digits)

    def code(self) -> str:
        """A code the server accepts once: each time step is spent by its first use, so the next one follows."""
        self.last_step = max(int(time.time()) // self.step, self.last_step + 1)
        return self._at(self.last_step)

    def wrong_code(self) -> str:
        right = {self._at(int(time.time()) // self.step + offset) for offset in range(-2, 4)}
        return next(code for code in (f"{n:06d}" for n in range(1000000)) if code not in right)


def client_from_own_address() -> APIClient:
    """A client with an address of its own, so per-address budgets of other tests never count against it."""
    client = APIClient(REMOTE_ADDR=f"10.{secrets.randbelow(256)}.{secrets.randbelow(256)}.{secrets.randbelow(254) + 1}")
    client.default_format = "json"
    return client
