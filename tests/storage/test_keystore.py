"""Key stores: file modes, versions and rotation, missing keys, atomic writes."""

from __future__ import annotations

import os
import stat
import threading
from pathlib import Path

import pytest

from onshore.adapters.keystore import (
    REGION_KEYS,
    FileKeyStore,
    MemoryKeyStore,
    ensure_region_keys,
)
from onshore.core.errors import KeyMissing, KeyStoreUnavailable
from onshore.ports import KeyStore


@pytest.fixture(params=["file", "memory"])
def keys(request: pytest.FixtureRequest, tmp_path: Path) -> KeyStore:
    if request.param == "file":
        return FileKeyStore(tmp_path / "data" / "vn-hcm" / "keys")
    return MemoryKeyStore()


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_implements_the_port(keys: KeyStore) -> None:
    assert isinstance(keys, KeyStore)


def test_create_is_idempotent(keys: KeyStore) -> None:
    first = keys.create("kek")
    assert first.key_id == "kek:1" and len(first.material) == 32
    assert keys.create("kek") == first
    assert keys.versions("kek") == [first]


def test_rotate_adds_a_version_and_keeps_the_old(keys: KeyStore) -> None:
    v1 = keys.create("kek")
    v2 = keys.rotate("kek")
    v3 = keys.rotate("kek")
    assert [v.version for v in (v1, v2, v3)] == [1, 2, 3]
    assert len({v1.material, v2.material, v3.material}) == 3
    assert keys.current("kek") == v3
    assert keys.get("kek:1") == v1
    assert keys.get("kek:2") == v2
    assert keys.versions("kek") == [v1, v2, v3]
    assert keys.create("kek") == v3  # create never goes back


def test_rotate_without_a_key_creates_version_one(keys: KeyStore) -> None:
    assert keys.rotate("index").key_id == "index:1"


def test_keys_are_independent(keys: KeyStore) -> None:
    keys.create("kek")
    keys.rotate("kek")
    assert keys.create("index").version == 1
    assert keys.current("kek").version == 2


@pytest.mark.parametrize("ask", ["current", "get"])
def test_missing_key_names_the_key(keys: KeyStore, ask: str) -> None:
    with pytest.raises(KeyMissing) as info:
        if ask == "current":
            keys.current("ledger-signing")
        else:
            keys.get("ledger-signing:1")
    assert "ledger-signing" in info.value.message
    assert info.value.code == "keys.missing"
    assert "ledger-signing" in str(info.value.details["key"])


@pytest.mark.parametrize("key_id", ["kek", "kek:0", "kek:x", ":1", "kek:-1", "../kek:1"])
def test_malformed_key_ids_are_missing_keys(keys: KeyStore, key_id: str) -> None:
    keys.create("kek")
    with pytest.raises(KeyMissing):
        keys.get(key_id)


def test_version_that_does_not_exist_yet(keys: KeyStore) -> None:
    keys.create("kek")
    with pytest.raises(KeyMissing):
        keys.get("kek:2")


def test_invalid_names_are_refused(keys: KeyStore) -> None:
    for name in ("../etc", "Kek", "", "a/b", "kek.v1"):
        with pytest.raises(KeyMissing):
            keys.create(name)


def test_ensure_region_keys(keys: KeyStore) -> None:
    ensure_region_keys(keys)
    before = {name: keys.current(name) for name in REGION_KEYS}
    assert set(before) == {"kek", "index", "ledger-hmac", "ledger-signing"}
    assert all(len(v.material) == 32 and v.version == 1 for v in before.values())
    ensure_region_keys(keys)
    assert {name: keys.current(name) for name in REGION_KEYS} == before


def test_file_modes(tmp_path: Path) -> None:
    directory = tmp_path / "region" / "keys"
    store = FileKeyStore(directory)
    ensure_region_keys(store)
    store.rotate("kek")
    assert mode(directory) == 0o700
    files = sorted(directory.iterdir())
    assert [f.name for f in files] == [
        "index.v1.key", "kek.v1.key", "kek.v2.key", "ledger-hmac.v1.key", "ledger-signing.v1.key",
    ]  # fmt: skip
    assert all(mode(f) == 0o600 for f in files)


def test_existing_directory_is_tightened_to_0700(tmp_path: Path) -> None:
    directory = tmp_path / "keys"
    directory.mkdir(mode=0o755)
    os.chmod(directory, 0o755)
    FileKeyStore(directory)
    assert mode(directory) == 0o700


def test_a_second_store_on_the_same_directory_sees_the_keys(tmp_path: Path) -> None:
    a = FileKeyStore(tmp_path / "keys")
    v1 = a.create("kek")
    b = FileKeyStore(tmp_path / "keys")
    assert b.current("kek") == v1
    v2 = b.rotate("kek")
    assert a.current("kek") == v2  # rotation by another process is seen
    assert a.versions("kek") == [v1, v2]


def test_key_files_hold_only_the_material(tmp_path: Path) -> None:
    store = FileKeyStore(tmp_path / "keys")
    v = store.create("index", 48)
    assert (tmp_path / "keys" / "index.v1.key").read_bytes() == v.material
    assert len(v.material) == 48


def test_no_temporary_files_are_left(tmp_path: Path) -> None:
    store = FileKeyStore(tmp_path / "keys")
    ensure_region_keys(store)
    for _ in range(3):
        store.rotate("kek")
    assert not [p for p in (tmp_path / "keys").iterdir() if p.name.startswith(".")]


def test_leftover_temporary_file_is_ignored(tmp_path: Path) -> None:
    """A writer that died before publishing leaves a temp file: no version appears."""
    directory = tmp_path / "keys"
    store = FileKeyStore(directory)
    (directory / ".kek.abc123.tmp").write_bytes(b"half")
    with pytest.raises(KeyMissing):
        store.current("kek")
    assert store.create("kek").version == 1


def test_concurrent_rotations_never_overwrite_a_version(tmp_path: Path) -> None:
    stores = [FileKeyStore(tmp_path / "keys") for _ in range(4)]
    stores[0].create("kek")
    made: list[tuple[int, bytes]] = []
    lock = threading.Lock()

    def rotate(store: FileKeyStore) -> None:
        for _ in range(10):
            v = store.rotate("kek")
            with lock:
                made.append((v.version, v.material))

    threads = [threading.Thread(target=rotate, args=(s,)) for s in stores]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    versions = [v for v, _ in made]
    assert sorted(versions) == list(range(2, 42))
    fresh = FileKeyStore(tmp_path / "keys")
    for version, material in made:
        assert fresh.get(f"kek:{version}").material == material


def test_publish_is_exclusive(tmp_path: Path) -> None:
    """A version file that appears between listing and publishing is never replaced."""
    store = FileKeyStore(tmp_path / "keys")
    existing = tmp_path / "keys" / "kek.v1.key"
    existing.write_bytes(b"k" * 32)
    assert store._publish("kek", 1, b"x" * 32) is False
    assert existing.read_bytes() == b"k" * 32


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores directory permissions")
def test_unreadable_directory_is_key_store_unavailable(tmp_path: Path) -> None:
    directory = tmp_path / "keys"
    store = FileKeyStore(directory)
    os.chmod(directory, 0)
    try:
        with pytest.raises(KeyStoreUnavailable):
            store.current("kek")
    finally:
        os.chmod(directory, 0o700)


def test_directory_under_a_file_is_key_store_unavailable(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("x")
    with pytest.raises(KeyStoreUnavailable) as info:
        FileKeyStore(blocker / "keys")
    assert info.value.code == "keys.unavailable"


def test_rotation_by_another_store_is_seen(tmp_path: Path) -> None:
    """A rotation made by another process (another store on the same directory) becomes
    the current version here within the listing cache's one-second bound."""
    import time as _time

    here, there = FileKeyStore(tmp_path / "k"), FileKeyStore(tmp_path / "k")
    here.create("kek")
    assert here.current("kek").version == 1
    there.rotate("kek")
    deadline = _time.monotonic() + 3
    while here.current("kek").version != 2:
        assert _time.monotonic() < deadline, "rotation never seen"
        _time.sleep(0.05)
