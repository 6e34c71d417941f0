"""Envelope encryption: round trips, tamper detection, AAD binding, key rotation."""

from __future__ import annotations

import secrets
from dataclasses import replace
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from onshore.core.envelope import (
    NONCE_SIZE,
    WRAPPED_SIZE,
    Sealer,
    rewrap,
    unseal,
    unwrap_key,
    wrap_key,
)
from onshore.core.errors import CryptoError, DecryptionFailed
from onshore.ports import KeyVersion, SealedRecord

KEK = KeyVersion("kek", 1, secrets.token_bytes(32))


def seal_one(
    record_id: str = "r1",
    plaintext: bytes = b'{"phone": "+84912345678"}',
    region: str = "vn-hcm",
    kek: KeyVersion = KEK,
    sealer: Sealer | None = None,
) -> SealedRecord:
    sealer = sealer or Sealer(kek, region)
    key_id, wrapped, nonce, ciphertext = sealer.seal(record_id, plaintext)
    return SealedRecord(
        record_id=record_id,
        region=region,
        subject_ref=b"s" * 32,
        kind="profile",
        created_at=datetime(2025, 1, 1, tzinfo=UTC),
        categories=("phone_number",),
        key_id=key_id,
        wrapped_key=wrapped,
        nonce=nonce,
        ciphertext=ciphertext,
    )


def flip(data: bytes, at: int = 0) -> bytes:
    return data[:at] + bytes([data[at] ^ 1]) + data[at + 1 :]


def test_round_trip() -> None:
    rec = seal_one(plaintext=b"hello")
    assert unseal(rec, KEK) == b"hello"
    assert b"hello" not in rec.ciphertext


def test_ciphertext_does_not_contain_the_plaintext() -> None:
    secret = b"+84912345678 an.nguyen@example.vn 079203004512"
    rec = seal_one(plaintext=secret)
    for blob in (rec.ciphertext, rec.wrapped_key, rec.nonce):
        assert b"84912345678" not in blob
        assert b"example.vn" not in blob


def test_one_data_key_per_sealer_fresh_nonce_per_record() -> None:
    sealer = Sealer(KEK, "vn-hcm")
    a = seal_one("a", b"same", sealer=sealer)
    b = seal_one("b", b"same", sealer=sealer)
    assert a.wrapped_key == b.wrapped_key == sealer.wrapped_key
    assert len(a.wrapped_key) == WRAPPED_SIZE
    assert a.nonce != b.nonce and len(a.nonce) == NONCE_SIZE
    assert a.ciphertext != b.ciphertext
    assert unseal(a, KEK) == unseal(b, KEK) == b"same"
    other = Sealer(KEK, "vn-hcm")
    assert other.wrapped_key != sealer.wrapped_key


@pytest.mark.parametrize("field", ["wrapped_key", "nonce", "ciphertext"])
@pytest.mark.parametrize("position", [0, -1])
def test_tampering_any_crypto_byte_fails(field: str, position: int) -> None:
    rec = seal_one()
    value: bytes = getattr(rec, field)
    tampered = replace(rec, **{field: flip(value, position % len(value))})  # type: ignore[arg-type]
    with pytest.raises(DecryptionFailed):
        unseal(tampered, KEK)


@pytest.mark.parametrize(
    "change",
    [
        {"record_id": "r2"},
        {"region": "sg-1"},
        {"key_id": "kek:2"},
        {"wrapped_key": b""},
        {"wrapped_key": b"x" * WRAPPED_SIZE},
        {"nonce": b"short"},
        {"ciphertext": b""},
    ],
)
def test_tampering_any_bound_field_fails(change: dict[str, object]) -> None:
    rec = seal_one()
    with pytest.raises(DecryptionFailed):
        unseal(replace(rec, **change), KEK)  # type: ignore[arg-type]


def test_wrong_key_fails_even_with_the_same_key_id() -> None:
    rec = seal_one()
    impostor = KeyVersion("kek", 1, secrets.token_bytes(32))
    with pytest.raises(DecryptionFailed):
        unseal(rec, impostor)


def test_swapping_ciphertexts_between_records_fails() -> None:
    sealer = Sealer(KEK, "vn-hcm")
    a, b = seal_one("a", b"alice", sealer=sealer), seal_one("b", b"bob", sealer=sealer)
    swapped = replace(a, nonce=b.nonce, ciphertext=b.ciphertext)
    with pytest.raises(DecryptionFailed):
        unseal(swapped, KEK)


def test_wrapped_key_is_bound_to_region_and_key_version() -> None:
    wrapped = wrap_key(b"d" * 32, "vn-hcm", KEK)
    assert unwrap_key(wrapped, "vn-hcm", KEK) == b"d" * 32
    with pytest.raises(DecryptionFailed):
        unwrap_key(wrapped, "sg-1", KEK)
    relabelled = KeyVersion("kek", 2, KEK.material)  # same material, other version
    with pytest.raises(DecryptionFailed):
        unwrap_key(wrapped, "vn-hcm", relabelled)


def test_record_moved_to_another_region_does_not_open_there() -> None:
    rec = seal_one(region="vn-hcm")
    with pytest.raises(DecryptionFailed):
        unseal(replace(rec, region="sg-1"), KEK)


def test_rewrap_keeps_the_record_readable_under_the_new_key_only() -> None:
    rec = seal_one(plaintext=b"rotate me")
    new = KeyVersion("kek", 2, secrets.token_bytes(32))
    rewrapped = replace(
        rec, key_id=new.key_id, wrapped_key=rewrap(rec.wrapped_key, rec.region, KEK, new)
    )
    assert rewrapped.ciphertext == rec.ciphertext
    assert unseal(rewrapped, new) == b"rotate me"
    with pytest.raises(DecryptionFailed):
        unseal(rewrapped, KEK)
    with pytest.raises(DecryptionFailed):
        unseal(replace(rewrapped, key_id=KEK.key_id), KEK)
    assert unseal(rec, KEK) == b"rotate me"  # the old wrapping still opens with the old key


def test_rewrap_with_the_wrong_old_key_fails() -> None:
    rec = seal_one()
    wrong = KeyVersion("kek", 1, secrets.token_bytes(32))
    with pytest.raises(DecryptionFailed):
        rewrap(rec.wrapped_key, rec.region, wrong, KeyVersion("kek", 2, bytes(32)))


def test_kek_must_be_256_bits() -> None:
    with pytest.raises(CryptoError):
        Sealer(KeyVersion("kek", 1, b"short"), "vn-hcm")


def test_decryption_failed_has_a_stable_code_and_no_plaintext() -> None:
    rec = seal_one(plaintext=b"+84912345678")
    with pytest.raises(DecryptionFailed) as info:
        unseal(replace(rec, record_id="other"), KEK)
    assert info.value.code == "crypto.decryption_failed"
    assert "84912345678" not in str(info.value.to_dict())


@given(
    record_id=st.text(min_size=1, max_size=40),
    region=st.text(min_size=1, max_size=20),
    plaintext=st.binary(max_size=2048),
)
def test_round_trip_property(record_id: str, region: str, plaintext: bytes) -> None:
    rec = seal_one(record_id, plaintext, region)
    assert unseal(rec, KEK) == plaintext


@given(
    a=st.tuples(st.text(max_size=8), st.text(max_size=8)),
    b=st.tuples(st.text(max_size=8), st.text(max_size=8)),
)
def test_different_bindings_never_open_each_other(a: tuple[str, str], b: tuple[str, str]) -> None:
    if a == b:
        return
    rec = seal_one(a[1] or "x", b"p", a[0] or "y")
    other = replace(rec, region=b[0] or "y", record_id=b[1] or "x")
    if (other.region, other.record_id) == (rec.region, rec.record_id):
        return
    with pytest.raises(DecryptionFailed):
        unseal(other, KEK)
