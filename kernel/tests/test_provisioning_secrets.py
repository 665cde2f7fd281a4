"""The local secret store on a real file system, and password generation."""

from __future__ import annotations

import os
import stat
import string
import threading
from pathlib import Path

import pytest

from tenantry_kernel.provisioning.secrets import (
    InvalidSecretName,
    LocalSecretStore,
    generate_password,
    get_or_create_password,
)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_put_get_delete_round_trip(tmp_path) -> None:
    # given
    store = LocalSecretStore(tmp_path / "secrets")

    # when
    store.put("tenant-acme-broker", {"username": "tenant-acme", "password": "s3cret"})
    stored = store.get("tenant-acme-broker")
    store.put("tenant-acme-broker", {"password": "other"})
    replaced = store.get("tenant-acme-broker")
    store.delete("tenant-acme-broker")
    store.delete("tenant-acme-broker")

    # then
    assert stored == {"username": "tenant-acme", "password": "s3cret"}
    assert replaced == {"password": "other"}
    assert store.get("tenant-acme-broker") is None
    assert store.get("never-written") is None
    assert sorted(os.listdir(tmp_path / "secrets")) == []


def test_directory_is_0700_and_files_are_0600_whatever_the_umask(tmp_path) -> None:
    # given a permissive umask and a directory that already exists world-readable
    directory = tmp_path / "secrets"
    directory.mkdir(mode=0o755)
    previous = os.umask(0o000)
    try:
        # when
        store = LocalSecretStore(directory)
        store.put("db", {"password": "x"})
        fresh = LocalSecretStore(tmp_path / "nested" / "fresh")
    finally:
        os.umask(previous)

    # then
    assert mode(directory) == 0o700
    assert mode(tmp_path / "nested" / "fresh") == 0o700
    assert mode(directory / "db.json") == 0o600
    assert fresh.get("db") is None


def test_a_write_leaves_no_temporary_files(tmp_path) -> None:
    # given
    store = LocalSecretStore(tmp_path)

    # when
    for round_ in range(3):
        store.put("broker", {"password": str(round_)})

    # then
    assert os.listdir(tmp_path) == ["broker.json"]
    assert store.get("broker") == {"password": "2"}


@pytest.mark.parametrize("name", ["../x", "..", "a/b", "/etc/passwd", ".hidden", "", "a..b", "x\n"])
def test_names_that_could_escape_the_directory_are_refused(tmp_path, name) -> None:
    # given
    store = LocalSecretStore(tmp_path / "secrets")

    # when / then
    with pytest.raises(InvalidSecretName, match="invalid secret name"):
        store.put(name, {"k": "v"})
    with pytest.raises(InvalidSecretName, match="invalid secret name"):
        store.get(name)
    with pytest.raises(InvalidSecretName, match="invalid secret name"):
        store.delete(name)
    assert not (tmp_path / "x.json").exists()
    assert os.listdir(tmp_path / "secrets") == []


def test_a_corrupt_secret_file_is_reported(tmp_path) -> None:
    # given
    store = LocalSecretStore(tmp_path)
    (tmp_path / "broken.json").write_text('["not", "an", "object"]')

    # when / then
    with pytest.raises(ValueError, match="does not hold a JSON object of strings"):
        store.get("broken")


def test_generated_passwords_are_url_safe_and_distinct() -> None:
    # when
    passwords = [generate_password() for _ in range(20)] + [generate_password(48)]

    # then
    allowed = set(string.ascii_letters + string.digits + "-_")
    assert all(set(password) <= allowed for password in passwords)
    assert [len(password) for password in passwords] == [32] * 20 + [48]
    assert len(set(passwords)) == len(passwords)
    with pytest.raises(ValueError, match="too weak"):
        generate_password(8)


def test_get_or_create_password_is_stable_and_keeps_other_keys(tmp_path) -> None:
    # given
    store = LocalSecretStore(tmp_path)
    store.put("tenant-acme-db", {"username": "tenant_acme"})

    # when
    first = get_or_create_password(store, "tenant-acme-db")
    second = get_or_create_password(LocalSecretStore(tmp_path), "tenant-acme-db")
    fresh = get_or_create_password(store, "tenant-acme-broker")

    # then
    assert first == second
    assert store.get("tenant-acme-db") == {"username": "tenant_acme", "password": first}
    assert store.get("tenant-acme-broker") == {"password": fresh}
    assert fresh != first


def test_racing_first_calls_agree_on_one_password(tmp_path) -> None:
    # given
    results: list[str] = []
    start = threading.Barrier(8)

    def first_call() -> None:
        start.wait()
        results.append(get_or_create_password(LocalSecretStore(tmp_path), "tenant-race-broker"))

    # when
    threads = [threading.Thread(target=first_call) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    # then
    stored = LocalSecretStore(tmp_path).get("tenant-race-broker")
    assert stored is not None
    assert len(results) == 8
    assert set(results) == {stored["password"]}
    assert os.listdir(tmp_path) == ["tenant-race-broker.json"]
