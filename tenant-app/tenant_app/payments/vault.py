"""Gateway secrets encrypted at rest with Fernet (`cryptography`), keys from `PAYMENTS_CREDENTIAL_KEYS`.

The setting lists Fernet keys, newest first: encryption uses the first, decryption tries each
(MultiFernet), so a key is rotated by putting a new one first, running
`manage.py rotate_payment_credentials` (re-encrypts every stored secret under the first key), then
dropping the old one. Unset (development and tests only), one key is derived from `SECRET_KEY`.
"""

from __future__ import annotations

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings


def _fernet() -> MultiFernet:
    keys: list[str] = list(settings.PAYMENTS_CREDENTIAL_KEYS)
    if not keys:
        derived = hashlib.sha256(f"tenantry-payments:{settings.SECRET_KEY}".encode()).digest()
        keys = [base64.urlsafe_b64encode(derived).decode()]
    return MultiFernet([Fernet(key.encode()) for key in keys])


def seal(secret: str) -> str:
    return _fernet().encrypt(secret.encode()).decode() if secret else ""


def unseal(token: str) -> str:
    if not token:
        return ""
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise RuntimeError("a stored gateway secret was sealed with a key PAYMENTS_CREDENTIAL_KEYS lacks") from exc


def reseal(token: str) -> str:
    """The same secret under the first (newest) key."""
    return _fernet().rotate(token.encode()).decode() if token else ""
