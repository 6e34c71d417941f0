"""The KeyStore conformance suite: memory, file and PKCS#11 (SoftHSM2) stores behave alike.

A kek from an HSM has no material: it is checked by what it does (wrapping data keys in
envelope encryption), not by its bytes.
"""

from __future__ import annotations

import secrets

import pytest

from onshore.adapters.keystore import REGION_KEYS, ensure_region_keys
from onshore.core.envelope import WRAPPED_SIZE, rewrap, unwrap_key, wrap_key
from onshore.core.errors import DecryptionFailed, InputError, KeyMissing
from onshore.ports import KeyStore, KeyVersion
from onshore.services.reindex import RetiringKeyStore


def opens(kek: KeyVersion, other: KeyVersion) -> bool:
    """Whether a data key wrapped by ``kek`` opens with ``other`` (and round-trips)."""
    data_key = secrets.token_bytes(32)
    wrapped = wrap_key(data_key, "vn-hcm", kek)
    assert len(wrapped) == WRAPPED_SIZE
    try:
        return unwrap_key(wrapped, "vn-hcm", other) == data_key
    except DecryptionFailed:
        return False


def test_implements_the_port(any_store: KeyStore) -> None:
    assert isinstance(any_store, KeyStore)


def test_create_is_idempotent(any_store: KeyStore) -> None:
    first = any_store.create("kek")
    assert first.key_id == "kek:1"
    assert any_store.create("kek").key_id == "kek:1"
    assert [v.key_id for v in any_store.versions("kek")] == ["kek:1"]
    index = any_store.create("index")
    assert len(index.material) == 32 and any_store.create("index") == index


def test_kek_wraps_and_unwraps(any_store: KeyStore) -> None:
    kek = any_store.create("kek")
    assert opens(kek, any_store.get("kek:1"))
    assert opens(any_store.get("kek:1"), any_store.current("kek"))


def test_rotate_adds_versions_and_keeps_the_old(any_store: KeyStore) -> None:
    v1 = any_store.create("kek")
    v2 = any_store.rotate("kek")
    v3 = any_store.rotate("kek")
    assert [v.version for v in (v1, v2, v3)] == [1, 2, 3]
    assert any_store.current("kek").key_id == "kek:3"
    assert [v.key_id for v in any_store.versions("kek")] == ["kek:1", "kek:2", "kek:3"]
    assert opens(v1, any_store.get("kek:1")) and opens(v2, any_store.get("kek:2"))
    assert not opens(v1, KeyVersion("kek", 1, secrets.token_bytes(32)))
    wrapped = wrap_key(b"d" * 32, "vn-hcm", v1)
    moved = rewrap(wrapped, "vn-hcm", any_store.get("kek:1"), any_store.current("kek"))
    assert unwrap_key(moved, "vn-hcm", any_store.get("kek:3")) == b"d" * 32
    with pytest.raises(DecryptionFailed):
        unwrap_key(moved, "vn-hcm", any_store.get("kek:2"))


def test_versions_of_material_keys_differ(any_store: KeyStore) -> None:
    a = any_store.create("ledger-hmac")
    b = any_store.rotate("ledger-hmac")
    assert a.material != b.material and len(b.material) == 32
    assert any_store.get("ledger-hmac:1") == a and any_store.get("ledger-hmac:2") == b
    assert any_store.rotate("index", 48).material != b"" and any_store.current("index").version == 1


def test_rotate_without_a_key_creates_version_one(any_store: KeyStore) -> None:
    assert any_store.rotate("index").key_id == "index:1"


@pytest.mark.parametrize("key_id", ["kek:2", "index:1", "ledger-signing:1"])
def test_missing_versions_are_missing(any_store: KeyStore, key_id: str) -> None:
    any_store.create("kek")
    with pytest.raises(KeyMissing) as info:
        any_store.get(key_id)
    assert info.value.code == "keys.missing"
    with pytest.raises(KeyMissing):
        any_store.current("ledger-signing")


@pytest.mark.parametrize("key_id", ["kek", "kek:0", "kek:x", ":1", "../kek:1"])
def test_malformed_key_ids(any_store: KeyStore, key_id: str) -> None:
    any_store.create("kek")
    with pytest.raises(KeyMissing):
        any_store.get(key_id)


def test_invalid_names_are_refused(any_store: KeyStore) -> None:
    for name in ("../etc", "Kek", "", "a/b"):
        with pytest.raises(KeyMissing):
            any_store.create(name)


@pytest.mark.parametrize("size", [8, 2048])
def test_bad_key_sizes_are_input_errors(any_store: KeyStore, size: int) -> None:
    """A kek of the wrong size is refused with the error tree's InputError (code
    ``input.invalid``), before anything is written: an HSM kek is AES-256, a file or memory
    key holds 16 to 1024 bytes."""
    for make in (any_store.create, any_store.rotate):
        with pytest.raises(InputError) as caught:
            make("kek", size)
        assert caught.value.code == "input.invalid" and caught.value.details["size"] == size
    assert any_store.versions("kek") == []


def test_ensure_region_keys(any_store: KeyStore) -> None:
    ensure_region_keys(any_store)
    before = {name: any_store.current(name).key_id for name in REGION_KEYS}
    ensure_region_keys(any_store)
    assert {n: any_store.current(n).key_id for n in REGION_KEYS} == before
    assert set(before.values()) == {f"{n}:1" for n in REGION_KEYS}


def test_retire_takes_an_old_version_out_of_use(any_store: KeyStore) -> None:
    any_store.create("index")
    any_store.rotate("index")
    assert isinstance(any_store, RetiringKeyStore)
    retire = any_store.retire
    with pytest.raises(KeyMissing):
        retire("index:2")  # the current version is never retired
    retire("index:1")
    assert [v.key_id for v in any_store.versions("index")] == ["index:2"]
    with pytest.raises(KeyMissing):
        any_store.get("index:1")
    with pytest.raises(KeyMissing):
        retire("index:1")
    assert any_store.rotate("index").key_id == "index:3"
