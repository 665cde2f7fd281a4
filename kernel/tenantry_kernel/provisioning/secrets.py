"""Where tenant credentials live: a small key-value secret store and password generation.

Cluster mode keeps them in Kubernetes Secrets (the operator's adapter); local mode keeps one
JSON file per secret in a private directory (`LocalSecretStore`).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import tempfile
from pathlib import Path
from typing import Protocol, runtime_checkable

# A name is one path component: no '/', no leading '.', so no traversal and no clash with
# the hidden temporary files of an atomic write.
_VALID_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,199}")


class SecretStore(Protocol):
    def get(self, name: str) -> dict[str, str] | None: ...

    def put(self, name: str, data: dict[str, str]) -> None: ...

    def delete(self, name: str) -> None:
        """Remove the secret; a missing secret is fine."""
        ...


@runtime_checkable
class CreatingSecretStore(Protocol):
    """A store that can create a secret only if absent, atomically (first writer wins)."""

    def create(self, name: str, data: dict[str, str]) -> bool:
        """True when this call created the secret, False when it already existed."""
        ...


class InvalidSecretName(ValueError):
    """The secret name could escape the store's directory or is otherwise unusable."""


def validate_secret_name(name: str) -> str:
    if not _VALID_NAME.fullmatch(name) or ".." in name:
        raise InvalidSecretName(
            f"invalid secret name {name!r}: use 1-200 letters, digits, '_', '-' or '.', "
            "starting with a letter or digit, without '..' or '/'"
        )
    return name


class LocalSecretStore:
    """One JSON file per secret under a directory only the owner can read (0700, files 0600)."""

    def __init__(self, directory: str | os.PathLike[str]) -> None:
        self.directory = Path(directory)
        self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        # mkdir honours the umask and leaves an existing directory alone: set the mode explicitly.
        self.directory.chmod(0o700)

    def __repr__(self) -> str:
        return f"LocalSecretStore({str(self.directory)!r})"

    def path(self, name: str) -> Path:
        return self.directory / f"{validate_secret_name(name)}.json"

    def get(self, name: str) -> dict[str, str] | None:
        path = self.path(name)
        try:
            raw = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None
        data = json.loads(raw)
        if not isinstance(data, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in data.items()):
            raise ValueError(f"secret file {path} does not hold a JSON object of strings; fix or delete it")
        return data

    def put(self, name: str, data: dict[str, str]) -> None:
        target = self.path(name)
        temporary = self._write_temporary(name, data)
        try:
            os.replace(temporary, target)
        except BaseException:
            temporary.unlink(missing_ok=True)
            raise
        self._sync_directory()

    def create(self, name: str, data: dict[str, str]) -> bool:
        target = self.path(name)
        temporary = self._write_temporary(name, data)
        try:
            # link() fails if the target exists, so of two racing creators exactly one wins.
            os.link(temporary, target)
        except FileExistsError:
            return False
        finally:
            temporary.unlink(missing_ok=True)
        self._sync_directory()
        return True

    def delete(self, name: str) -> None:
        self.path(name).unlink(missing_ok=True)

    def _write_temporary(self, name: str, data: dict[str, str]) -> Path:
        """A complete, fsynced 0600 file next to the target (mkstemp creates it 0600)."""
        payload = json.dumps({str(key): str(value) for key, value in data.items()}, sort_keys=True)
        descriptor, temporary_name = tempfile.mkstemp(dir=self.directory, prefix=f".{name}.", suffix=".tmp")
        temporary = Path(temporary_name)
        try:
            with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
                handle.write(payload)
                handle.flush()
                os.fsync(handle.fileno())
        except BaseException:
            temporary.unlink(missing_ok=True)
            raise
        return temporary

    def _sync_directory(self) -> None:
        # Make the rename itself durable; not every platform can fsync a directory.
        with contextlib.suppress(OSError):
            descriptor = os.open(self.directory, os.O_RDONLY)
            try:
                os.fsync(descriptor)
            finally:
                os.close(descriptor)


def generate_password(length: int = 32) -> str:
    """A random URL-safe password of exactly `length` characters."""
    if length < 16:
        raise ValueError(f"a password of {length} characters is too weak; use at least 16")
    return secrets.token_urlsafe(length)[:length]


def get_or_create_password(store: SecretStore, name: str, key: str = "password") -> str:
    """The password stored under `name`/`key`, generating and storing one the first time.

    Other keys of the secret are kept. When the store can create atomically, concurrent
    first calls agree on one password (the first writer's).
    """
    existing = store.get(name)
    if existing is not None and existing.get(key):
        return existing[key]
    password = generate_password()
    if existing is None and isinstance(store, CreatingSecretStore):
        if store.create(name, {key: password}):
            return password
        return get_or_create_password(store, name, key)
    store.put(name, {**(existing or {}), key: password})
    return password
