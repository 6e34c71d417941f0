"""One RecordStore conformance suite, run on memory, SQLite (a real file) and PostgreSQL."""

from __future__ import annotations

import secrets
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone

import pytest

from onshore.adapters import open_database
from onshore.core.errors import (
    InputError,
    OnshoreError,
    RecordNotFound,
    StoreIntegrityError,
    StoreUnavailable,
)
from onshore.ports import RecordStore, RegionDatabase, SealedRecord

T0 = datetime(2025, 3, 1, 8, 0, tzinfo=UTC)


def make(
    record_id: str,
    *,
    subject: bytes = b"s" * 32,
    terms: tuple[bytes, ...] = (),
    at: datetime = T0,
    kind: str = "profile",
) -> SealedRecord:
    """A sealed-looking record (the store never looks inside the ciphertext)."""
    return SealedRecord(
        record_id=record_id,
        region="vn-hcm",
        subject_ref=subject,
        kind=kind,
        created_at=at,
        categories=("phone_number", "email"),
        key_id="kek:1",
        wrapped_key=secrets.token_bytes(60),
        nonce=secrets.token_bytes(12),
        ciphertext=secrets.token_bytes(40),
        index_terms=terms,
    )


def term(label: str) -> bytes:
    return label.encode().ljust(32, b"\x00")


@pytest.fixture
def store(db: RegionDatabase) -> RecordStore:
    return db.records


def test_implements_the_port(store: RecordStore) -> None:
    assert isinstance(store, RecordStore)


def test_put_then_get_round_trips_every_field(store: RecordStore) -> None:
    rec = make("r1", terms=(term("a"), term("b")))
    store.put(rec)
    assert store.get("r1") == rec
    assert store.get("missing") is None


def test_created_at_comes_back_timezone_aware_utc(store: RecordStore) -> None:
    plus7 = timezone(timedelta(hours=7))
    store.put(make("r1", at=datetime(2025, 3, 1, 15, 0, 0, 123456, tzinfo=plus7)))
    got = store.get("r1")
    assert got is not None
    assert got.created_at.utcoffset() == timedelta(0)
    assert got.created_at == datetime(2025, 3, 1, 8, 0, 0, 123456, tzinfo=UTC)


def test_naive_created_at_is_refused(store: RecordStore) -> None:
    with pytest.raises(StoreIntegrityError):
        store.put(make("r1", at=datetime(2025, 1, 1)))
    assert store.count() == 0


def test_put_is_idempotent_and_replaces(store: RecordStore) -> None:
    rec = make("r1", terms=(term("old"),))
    store.put(rec)
    store.put(rec)
    assert store.count() == 1
    newer = replace(rec, kind="changed", index_terms=(term("new"),))
    store.put(newer)
    assert store.count() == 1
    assert store.get("r1") == newer
    assert store.find(term("old")) == []
    assert store.find(term("new")) == [newer]


def test_put_many_writes_all(store: RecordStore) -> None:
    batch = [make(f"r{i:03d}", terms=(term(f"t{i % 3}"),)) for i in range(250)]
    store.put_many(batch)
    assert store.count() == 250
    assert store.get("r042") == batch[42]
    assert len(store.find(term("t0"))) == 84


def test_put_many_empty_is_a_no_op(store: RecordStore) -> None:
    store.put_many([])
    assert store.count() == 0


def test_put_many_with_repeated_id_keeps_the_last(store: RecordStore) -> None:
    first, last = make("r1", kind="first"), make("r1", kind="last", terms=(term("x"),))
    store.put_many([first, make("r2"), last])
    assert store.count() == 2
    assert store.get("r1") == last
    assert store.find(term("x")) == [last]


def test_put_many_replaces_existing_records_and_their_terms(store: RecordStore) -> None:
    store.put_many([make("r1", terms=(term("a"),)), make("r2", terms=(term("a"),))])
    store.put_many([make("r1", terms=(term("b"),)), make("r3", terms=(term("a"),))])
    assert store.count() == 3
    assert [r.record_id for r in store.find(term("a"))] == ["r2", "r3"]
    assert [r.record_id for r in store.find(term("b"))] == ["r1"]


def test_failing_batch_leaves_nothing(store: RecordStore) -> None:
    store.put(make("keep", terms=(term("k"),)))
    bad = [make("a", terms=(term("x"),)), make("b"), make("", terms=(term("x"),))]
    with pytest.raises(StoreIntegrityError):
        store.put_many(bad)
    assert store.count() == 1
    assert store.get("a") is None
    assert store.find(term("x")) == []


@pytest.mark.parametrize(
    "bad",
    [
        {"ciphertext": None},
        {"subject_ref": "not bytes"},
        {"kind": 7},
        {"categories": ("ok", 3)},
        {"index_terms": (b"",)},
        {"index_terms": (b"x" * 256,)},
    ],
)
def test_malformed_record_in_a_batch_leaves_nothing(
    store: RecordStore, bad: dict[str, object]
) -> None:
    broken = replace(make("c"), **bad)  # type: ignore[arg-type]
    with pytest.raises(StoreIntegrityError):
        store.put_many([make("a", terms=(term("x"),)), broken])
    assert store.count() == 0
    assert store.find(term("x")) == []


def test_database_constraints_hold_without_the_store_checks(
    db: RegionDatabase, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With the shared pre-checks switched off, the database itself refuses the batch."""
    if type(db.records).__name__ == "MemoryRecordStore":
        pytest.skip("the memory store has no database underneath its checks")
    module = __import__(type(db.records).put_many.__module__, fromlist=["checked_batch"])
    monkeypatch.setattr(module, "checked_batch", list)
    db.records.put(make("keep"))
    for broken in (make(""), replace(make("c"), ciphertext=None)):  # type: ignore[arg-type]
        with pytest.raises(StoreIntegrityError):
            db.records.put_many([make("a", terms=(term("x"),)), make("b"), broken])
        assert db.records.count() == 1
        assert db.records.find(term("x")) == []


def test_exception_after_put_many_in_a_transaction_rolls_it_back(db: RegionDatabase) -> None:
    db.records.put(make("before"))
    with pytest.raises(RuntimeError), db.transaction():
        db.records.put_many([make(f"r{i}", terms=(term("t"),)) for i in range(50)])
        db.records.delete("before")
        raise RuntimeError("boom")
    assert db.records.count() == 1
    assert db.records.get("before") is not None
    assert db.records.find(term("t")) == []


def test_rollback_also_rolls_back_the_ledger_append(db: RegionDatabase) -> None:
    size = db.ledger.size()
    with pytest.raises(RuntimeError), db.transaction():
        db.records.put(make("r1"))
        db.ledger.append([b"e"], [b"h" * 32])
        assert db.ledger.size() == size + 1
        raise RuntimeError("boom")
    assert db.ledger.size() == size
    assert db.records.count() == 0
    with db.transaction():
        db.records.put(make("r1"))
        db.ledger.append([b"e"], [b"h" * 32])
    assert db.ledger.size() == size + 1
    assert db.records.count() == 1


def test_nested_transaction_rolls_back_only_the_inner_part(db: RegionDatabase) -> None:
    with db.transaction():
        db.records.put(make("outer"))
        with pytest.raises(RuntimeError), db.transaction():
            db.records.put(make("inner"))
            raise RuntimeError("inner fails")
    assert db.records.get("outer") is not None
    assert db.records.get("inner") is None


def test_find_returns_oldest_first_and_only_matches(store: RecordStore) -> None:
    store.put_many(
        [
            make("late", terms=(term("p"),), at=T0 + timedelta(hours=2)),
            make("early", terms=(term("p"), term("q")), at=T0),
            make("mid-b", terms=(term("p"),), at=T0 + timedelta(hours=1)),
            make("mid-a", terms=(term("p"),), at=T0 + timedelta(hours=1)),
            make("other", terms=(term("q"),)),
        ]
    )
    assert [r.record_id for r in store.find(term("p"))] == ["early", "mid-a", "mid-b", "late"]
    assert [r.record_id for r in store.find(term("q"))] == ["early", "other"]
    assert store.find(term("nothing")) == []


def test_delete_removes_record_and_terms(store: RecordStore) -> None:
    store.put_many([make("r1", terms=(term("a"),)), make("r2", terms=(term("a"),))])
    assert store.delete("r1") is True
    assert store.delete("r1") is False
    assert store.get("r1") is None
    assert [r.record_id for r in store.find(term("a"))] == ["r2"]
    assert store.count() == 1
    # Putting the deleted id again starts clean.
    store.put(make("r1", terms=(term("b"),)))
    assert [r.record_id for r in store.find(term("a"))] == ["r2"]


def test_by_subject_oldest_first(store: RecordStore) -> None:
    alice, bob = b"a" * 32, b"b" * 32
    store.put_many(
        [make(f"a{i}", subject=alice, at=T0 + timedelta(minutes=10 - i)) for i in range(5)]
        + [make("b0", subject=bob)]
    )
    assert [r.record_id for r in store.by_subject(alice)] == ["a4", "a3", "a2", "a1", "a0"]
    assert [r.record_id for r in store.by_subject(bob)] == ["b0"]
    assert list(store.by_subject(b"z" * 32)) == []


def test_by_subject_spans_many_pages(store: RecordStore) -> None:
    subject = b"m" * 32
    store.put_many(
        [make(f"r{i:05d}", subject=subject, at=T0 + timedelta(seconds=i % 7)) for i in range(1203)]
    )
    got = [r.record_id for r in store.by_subject(subject)]
    expected = sorted((f"r{i:05d}" for i in range(1203)), key=lambda rid: (int(rid[1:]) % 7, rid))
    assert got == expected


def test_count(store: RecordStore) -> None:
    assert store.count() == 0
    store.put_many([make(f"r{i}") for i in range(7)])
    store.delete("r3")
    assert store.count() == 6


def test_count_subjects_counts_distinct_subject_refs(store: RecordStore) -> None:
    assert store.count_subjects() == 0
    store.put_many([make(f"r{i}", subject=bytes([i % 3]) * 32) for i in range(7)])
    assert store.count_subjects() == 3
    store.delete("r2")
    store.delete("r5")
    assert store.count_subjects() == 2


def test_page_walks_every_record_once_in_id_order(store: RecordStore) -> None:
    ids = [f"id-{i:04d}" for i in range(123)] + ["Z", "a", "é", "日本"]
    store.put_many([make(i) for i in ids])
    seen: list[str] = []
    after: str | None = None
    while True:
        page = store.page(after, 10)
        if not page:
            break
        seen.extend(r.record_id for r in page)
        after = page[-1].record_id
    assert seen == sorted(ids)
    assert store.page(None, 0) == []
    with pytest.raises(InputError):
        store.page(None, -1)


@pytest.mark.parametrize("page_size", [1, 7, 10_000])
def test_iter_record_ids_lists_every_id_once_in_order(store: RecordStore, page_size: int) -> None:
    assert list(store.iter_record_ids(page_size)) == []
    ids = [f"id-{i:04d}" for i in range(50)] + ["Z", "a", "é", "日本"]
    store.put_many([make(i) for i in ids])
    store.delete("id-0007")
    store.put(make("id-0001"))  # replacing keeps one row
    expected = sorted(set(ids) - {"id-0007"})
    assert list(store.iter_record_ids(page_size)) == expected
    assert len(expected) == store.count()


def test_rewrap_replaces_only_the_wrapped_key(store: RecordStore) -> None:
    rec = make("r1", terms=(term("a"),))
    store.put(rec)
    store.rewrap("r1", "kek:2", b"n" * 60)
    got = store.get("r1")
    assert got == replace(rec, key_id="kek:2", wrapped_key=b"n" * 60)
    with pytest.raises(RecordNotFound):
        store.rewrap("missing", "kek:2", b"n" * 60)


def test_rewrap_many_is_all_or_nothing(store: RecordStore) -> None:
    store.put_many([make("r1"), make("r2")])
    rewrap_many = store.rewrap_many  # type: ignore[attr-defined]
    rewrap_many([("r1", "kek:2", b"a" * 60), ("r2", "kek:2", b"b" * 60)])
    assert {r.key_id for r in store.page(None, 10)} == {"kek:2"}
    with pytest.raises(RecordNotFound):
        rewrap_many([("r1", "kek:3", b"c" * 60), ("missing", "kek:3", b"c" * 60)])
    got = store.get("r1")
    assert got is not None and (got.key_id, got.wrapped_key) == ("kek:2", b"a" * 60)


def test_unicode_and_binary_values_survive(store: RecordStore) -> None:
    rec = replace(
        make("bản-ghi-1", terms=(b"\x00" * 32, b"\xff" * 32)),
        kind="hồ sơ",
        categories=(),
        ciphertext=b"\x00\x01\x02" * 100,
        subject_ref=b"\x00" * 32,
    )
    store.put(rec)
    assert store.get("bản-ghi-1") == rec
    assert store.find(b"\x00" * 32) == [rec]


def test_errors_are_onshore_errors(store: RecordStore) -> None:
    with pytest.raises(OnshoreError):
        store.put(make("", terms=()))


@pytest.mark.postgres
def test_postgres_connection_lost_is_store_unavailable_then_recovers(pg_url: str) -> None:
    import psycopg

    db = open_database(pg_url)
    try:
        db.records.put(make("r1"))
        pid = db.conn.execute("SELECT pg_backend_pid()").fetchone()[0]  # type: ignore[attr-defined]
        with psycopg.connect(pg_url, autocommit=True) as admin:
            admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
        with pytest.raises(StoreUnavailable):
            db.records.put(make("r2"))
        db.records.put(make("r3"))
        assert {r.record_id for r in db.records.page(None, 10)} == {"r1", "r3"}
    finally:
        db.close()
