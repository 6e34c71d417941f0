"""Attacks on a stored ledger (a real SQLite file): every one is detected and named."""

from __future__ import annotations

import base64
import contextlib
import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from onshore.core.errors import (
    AuditError,
    BundleError,
    OnshoreError,
    ProofError,
    SignatureError,
)
from onshore.core.ledger import ProofBundle, leaf_hash, verify_bundle
from onshore.core.ledger.note import sign_note, verifier_key
from onshore.services.ledger import Ledger
from tests.ledger.conftest import T0, placed

N = 6


@pytest.fixture
def sealed(log: Ledger) -> Ledger:
    """A small log with a signed checkpoint over all of it."""
    log.append([placed(i) for i in range(N)])
    log.checkpoint(T0)
    assert log.verify().ok
    return log


def sql(log: Ledger, statement: str, params: tuple[Any, ...] = ()) -> None:
    with log.db.transaction():
        log.db.execute(statement, params)  # type: ignore[attr-defined]


def entry(log: Ledger, index: int) -> bytes:
    return log.store.leaves(index, index + 1)[0][1]


POSITIONS = [0, 1, 2, 3, 4, 7, 8, 15, 16, 47, 48, 79, 80, 111, 112, 143, 144, 175]


@pytest.mark.parametrize("index", [0, 3, N - 1])
@pytest.mark.parametrize("position", POSITIONS)
def test_flipping_any_byte_of_a_leaf_is_named(sealed: Ledger, index: int, position: int) -> None:
    raw = bytearray(entry(sealed, index))
    raw[position] ^= 0x01
    sql(sealed, "UPDATE ledger_leaves SET entry = ? WHERE idx = ?", (bytes(raw), index))
    report = sealed.verify()
    assert not report.ok
    assert report.first_bad_index == index
    assert any(f"leaf {index}" in p for p in report.problems)


@pytest.mark.parametrize("index", [0, N - 1])
def test_flipping_a_byte_and_fixing_up_its_hash_is_still_named(sealed: Ledger, index: int) -> None:
    raw = bytearray(entry(sealed, index))
    raw[100] ^= 0x80
    sql(
        sealed,
        "UPDATE ledger_leaves SET entry = ?, leaf_hash = ? WHERE idx = ?",
        (bytes(raw), leaf_hash(bytes(raw)), index),
    )
    report = sealed.verify()
    assert report.first_bad_index == index
    assert any("root does not match" in p for p in report.problems)


def test_flipping_a_stored_leaf_hash_is_named(sealed: Ledger) -> None:
    sql(sealed, "UPDATE ledger_leaves SET leaf_hash = ? WHERE idx = 2", (bytes(32),))
    report = sealed.verify()
    assert report.first_bad_index == 2


def test_dropping_a_leaf_is_named(sealed: Ledger) -> None:
    sql(sealed, "DELETE FROM ledger_leaves WHERE idx = 2")
    report = sealed.verify()
    assert report.first_bad_index == 2
    assert "leaf 2 is missing" in report.problems[0]


def test_dropping_a_leaf_and_renumbering_is_named(sealed: Ledger) -> None:
    sql(sealed, "DELETE FROM ledger_leaves WHERE idx = 2")
    sql(sealed, "UPDATE ledger_leaves SET idx = idx - 1 WHERE idx > 2")
    report = sealed.verify()
    assert report.first_bad_index == 2
    assert any("covers 6 leaves" in p for p in report.problems)


def test_dropping_the_last_leaf_is_detected(sealed: Ledger) -> None:
    sql(sealed, "DELETE FROM ledger_leaves WHERE idx = ?", (N - 1,))
    report = sealed.verify()
    assert not report.ok
    assert report.first_bad_index == N - 1


def test_reordering_leaves_is_named(sealed: Ledger) -> None:
    a, b = sealed.store.leaves(1, 2)[0], sealed.store.leaves(4, 5)[0]
    sql(sealed, "UPDATE ledger_leaves SET entry = ?, leaf_hash = ? WHERE idx = 1", (a[1], a[2]))
    sql(sealed, "UPDATE ledger_leaves SET entry = ?, leaf_hash = ? WHERE idx = 1", (b[1], b[2]))
    sql(sealed, "UPDATE ledger_leaves SET entry = ?, leaf_hash = ? WHERE idx = 4", (a[1], a[2]))
    report = sealed.verify()
    assert report.first_bad_index == 1
    assert any("root does not match" in p for p in report.problems)


def test_replacing_a_checkpoint_with_another_keys_is_detected(sealed: Ledger) -> None:
    _size, _root, note, _, _ = sealed.store.checkpoints()[0]
    body = note[: note.rindex(b"\n\n") + 1]
    forged = sign_note(body, sealed.origin, b"\x07" * 32)
    sql(sealed, "UPDATE ledger_checkpoints SET note = ?", (forged,))
    report = sealed.verify()
    assert not report.ok
    assert any("not signed by key" in p for p in report.problems)


def test_replacing_a_checkpoint_body_is_detected(sealed: Ledger) -> None:
    _, _, note, _, _ = sealed.store.checkpoints()[0]
    altered = note.replace(f"\n{N}\n".encode(), f"\n{N - 1}\n".encode(), 1)
    sql(sealed, "UPDATE ledger_checkpoints SET note = ?, size = ?", (altered, N - 1))
    report = sealed.verify()
    assert any("does not verify" in p for p in report.problems)


def test_forged_signature_is_detected(sealed: Ledger) -> None:
    bundle = sealed.prove_index(0)
    _, _, note, _, _ = sealed.store.checkpoints()[0]
    head, sig_line = note.rsplit(b" ", 1)
    raw = bytearray(base64.b64decode(sig_line))
    raw[10] ^= 0xFF
    forged = head + b" " + base64.b64encode(bytes(raw)) + b"\n"
    sql(sealed, "UPDATE ledger_checkpoints SET note = ?", (forged,))
    report = sealed.verify()
    assert any("forged or altered" in p for p in report.problems)
    with pytest.raises(SignatureError):
        sealed.prove_index(0)
    with pytest.raises(SignatureError):
        verify_bundle(
            ProofBundle(
                bundle.region, 0, bundle.leaf, bundle.inclusion_proof, forged, bundle.public_key
            ),
            sealed.verifier_key(),
        )


def test_no_checkpoint_is_signed_over_a_tampered_history(sealed: Ledger) -> None:
    tiles = sealed.store.tiles([(0, 0)])
    raw = bytearray(tiles[(0, 0)])
    raw[0] ^= 1
    sql(sealed, "UPDATE ledger_tiles SET hashes = ? WHERE level = 0 AND idx = 0", (bytes(raw),))
    sealed.append([placed(N)])
    with pytest.raises(AuditError):
        sealed.checkpoint(T0)
    assert len(sealed.store.checkpoints()) == 1


def test_truncated_proof_fails_offline(sealed: Ledger) -> None:
    bundle = sealed.prove("rec-3")
    short = ProofBundle(
        bundle.region, bundle.index, bundle.leaf, bundle.inclusion_proof[:-1],
        bundle.checkpoint, bundle.public_key,
    )  # fmt: skip
    with pytest.raises(ProofError):
        verify_bundle(ProofBundle.from_json(short.to_json()), sealed.verifier_key())


def test_bundle_checked_against_the_trusted_key_not_its_own(sealed: Ledger) -> None:
    bundle = sealed.prove("rec-3")
    other = verifier_key(sealed.origin, b"\x09" * 32)
    with pytest.raises(SignatureError):
        verify_bundle(bundle, other)


@pytest.mark.parametrize(
    "raw",
    [b"", b"null", b"[]", b"{}", b"\xff\xfe", b'{"format": "onshore-ledger-proof/1"}',
     b'{"format": "onshore-ledger-proof/1", "region": "vn-hcm", "index": "0", "leaf": "00",'
     b' "inclusion_proof": [], "checkpoint": "x", "public_key": "k"}',
     b'{"format": "onshore-ledger-proof/1", "region": "vn-hcm", "index": 0, "leaf": "zz",'
     b' "inclusion_proof": [], "checkpoint": "x", "public_key": "k"}'],
)  # fmt: skip
def test_garbage_bundles_are_typed_errors(raw: bytes) -> None:
    with pytest.raises(BundleError):
        ProofBundle.from_json(raw)


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_mutated_bundles_never_crash(sealed: Ledger, data: st.DataObject) -> None:
    doc = json.loads(sealed.prove("rec-2").to_json())
    key = data.draw(st.sampled_from(sorted(doc)))
    doc[key] = data.draw(
        st.one_of(
            st.none(), st.integers(-(2**70), 2**70), st.text(max_size=40),
            st.lists(st.text(max_size=70), max_size=70), st.binary(max_size=40).map(bytes.hex),
        )
    )  # fmt: skip
    vkey = data.draw(st.sampled_from([sealed.verifier_key(), "garbage", "a+b+c"]))
    with contextlib.suppress(OnshoreError):
        verify_bundle(ProofBundle.from_json(json.dumps(doc)), vkey)
