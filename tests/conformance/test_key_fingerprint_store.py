"""Conformance of ``KeyFingerprintStore`` on every backend (memory, SQLite, PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from onshore.ports import KeyFingerprintStore, RegionDatabase

AT = datetime(2026, 1, 1, tzinfo=UTC)


def test_is_the_port(db: RegionDatabase) -> None:
    assert isinstance(db.key_fingerprints, KeyFingerprintStore)
    assert db.key_fingerprints.all() == {}


def test_add_keeps_the_first_fingerprint_of_a_key(db: RegionDatabase) -> None:
    store = db.key_fingerprints
    store.add([("kek:1", b"a" * 32), ("index:1", b"b" * 32)], AT)
    store.add([("kek:1", b"z" * 32), ("kek:2", b"c" * 32)], AT)
    assert store.all() == {"kek:1": b"a" * 32, "index:1": b"b" * 32, "kek:2": b"c" * 32}


def test_replace_forgets_the_old_ones(db: RegionDatabase) -> None:
    store = db.key_fingerprints
    store.add([("kek:1", b"a" * 32), ("index:1", b"b" * 32)], AT)
    store.replace([("kek:1", b"n" * 32)], AT)
    assert store.all() == {"kek:1": b"n" * 32}


def test_a_failed_transaction_records_nothing(db: RegionDatabase) -> None:
    with pytest.raises(RuntimeError), db.transaction():
        db.key_fingerprints.add([("kek:1", b"a" * 32)], AT)
        raise RuntimeError("boom")
    assert db.key_fingerprints.all() == {}
