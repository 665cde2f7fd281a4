"""The provider's RSA signing keys: one active key signs, retired keys stay published in the JWKS.

Read by settings (so it imports nothing of Django). In a deployment the keys come from the
environment or from mounted files; on a developer's machine and in tests, when none is configured,
the active key is generated at first use into `.local/oidc/active.pem` (never committed), and keys
moved to `.local/oidc/retired/` by `manage.py generate_oidc_key --rotate-local` stay published.
"""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Iterable
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

KEY_SIZE = 2048
_PEM_BLOCK = re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----.+?-----END [A-Z ]*PRIVATE KEY-----", re.DOTALL)


def generate_private_key() -> str:
    """A new RSA private key, PKCS#8 PEM."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=KEY_SIZE)
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


def pem_blocks(text: str) -> list[str]:
    """Every private key in `text` (several PEM blocks may be concatenated in one variable)."""
    return [block + "\n" for block in _PEM_BLOCK.findall(text)]


def _read(path: str | Path) -> list[str]:
    blocks = pem_blocks(Path(path).read_text())
    if not blocks:
        raise ValueError(f"{path} holds no PEM private key")
    return blocks


def write_new_key(path: Path) -> str:
    """Create `path` with a new key unless it exists (atomically: concurrent first uses agree on one key)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists():
        return _read(path)[0]
    _create_once(path, generate_private_key())
    return _read(path)[0]


def _create_once(path: Path, content: str) -> None:
    """Write `path` (mode 0600) unless it exists; of concurrent first uses, the first link wins for all."""
    scratch = path.with_name(f".{path.name}.{secrets.token_hex(8)}")
    descriptor = os.open(scratch, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        handle.write(content)
    try:
        os.link(scratch, path)
    except FileExistsError:
        pass
    finally:
        scratch.unlink()


def local_active_path(local_dir: Path) -> Path:
    return local_dir / "active.pem"


def local_retired_dir(local_dir: Path) -> Path:
    return local_dir / "retired"


def signing_keys(
    *,
    active_pem: str = "",
    active_file: str = "",
    inactive_pems: str = "",
    inactive_files: Iterable[str] = (),
    local_dir: Path | None = None,
) -> tuple[str, list[str]]:
    """(active key, retired keys) as PEM. Configured keys win; else, with `local_dir`, local keys.

    Without a configured key and without `local_dir` the active key is "" (OIDC cannot sign).
    """
    active = pem_blocks(active_pem)[:1] or (_read(active_file)[:1] if active_file else [])
    inactive = [*pem_blocks(inactive_pems), *(block for path in inactive_files for block in _read(path))]
    if not active and local_dir is not None:
        active = [write_new_key(local_active_path(local_dir))]
        retired = local_retired_dir(local_dir)
        if retired.is_dir():
            inactive += [block for path in sorted(retired.glob("*.pem")) for block in _read(path)]
    return (active[0] if active else ""), inactive


def local_client_key(local_dir: Path) -> str:
    """The key tenant client secrets derive from on this machine (`.local/oidc/sso-client-key`), made at first use."""
    path = local_dir / "sso-client-key"
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        _create_once(path, secrets.token_urlsafe(48))
    return path.read_text().strip()
