"""A user's authenticator app for tests: TOTP codes from the otpauth URI a server handed out.

RFC 6238 over RFC 4226, written out here rather than borrowed from the library the servers use,
so a test checks the server against the standard, not against itself.
"""

from __future__ import annotations

import hashlib
import hmac
import struct
import time
from base64 import b32decode
from urllib.parse import parse_qs, unquote, urlsplit


class Authenticator:
    """Set up from `otpauth://totp/<label>?secret=…&issuer=…&period=…&digits=…`."""

    def __init__(self, otpauth_uri: str) -> None:
        parts = urlsplit(otpauth_uri)
        if (parts.scheme, parts.netloc) != ("otpauth", "totp"):
            raise ValueError(f"not a TOTP otpauth URI: {otpauth_uri!r}")
        query = parse_qs(parts.query)
        self.label = unquote(parts.path.lstrip("/"))
        self.issuer = query.get("issuer", [""])[0]
        secret = query["secret"][0]
        self.key = b32decode(secret + "=" * (-len(secret) % 8))
        self.step = int(query.get("period", ["30"])[0])
        self.digits = int(query.get("digits", ["6"])[0])
        self.last_step = -1

    def _at(self, step: int) -> str:
        digest = hmac.new(self.key, struct.pack(">Q", step), hashlib.sha1).digest()
        offset = digest[-1] & 0x0F
        number = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
        return str(number % 10**self.digits).zfill(self.digits)

    def next_code(self) -> str:
        """The code the server accepts next, without spending it here: each time step counts once."""
        return self._at(max(int(time.time()) // self.step, self.last_step + 1))

    def code(self) -> str:
        """The next code, for an attempt the server will accept (which spends its time step)."""
        self.last_step = max(int(time.time()) // self.step, self.last_step + 1)
        return self._at(self.last_step)

    def wrong_code(self) -> str:
        """A well-formed code the server refuses: none of the steps around now."""
        step = max(int(time.time()) // self.step, self.last_step + 1)
        acceptable = {self._at(near) for near in range(step - 3, step + 4)}
        return next(code for code in ("000000", "111111", "222222", "333333") if code not in acceptable)
