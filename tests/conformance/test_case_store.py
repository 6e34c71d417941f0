"""One CaseStore conformance suite, run on memory, SQLite (a real file) and PostgreSQL."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from onshore.adapters import open_database
from onshore.core.cases.listing import CaseQuery
from onshore.core.errors import CaseConflict, CaseNotFound, InputError
from onshore.ports import Case, CaseEvent, CaseStore, LegalHold, RegionDatabase

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def case(case_id: str, **kw: Any) -> Case:
    base: dict[str, Any] = {
        "case_id": case_id,
        "kind": "authority_request",
        "state": "received",
        "region": "vn-hcm",
        "created_at": T0,
        "updated_at": T0,
        "due_at": None,
        "data": {"process_type": "warrant", "scope": {"subjects": ["u1"]}},
        "version": 1,
    }
    base.update(kw)
    return Case(**base)


def event(case_id: str, seq: int, **kw: Any) -> CaseEvent:
    base: dict[str, Any] = {
        "case_id": case_id,
        "seq": seq,
        "at": T0 + timedelta(minutes=seq),
        "actor": "lan",
        "role": "operator",
        "action": "open" if seq == 1 else f"a{seq}",
        "from_state": "",
        "to_state": "received",
        "note": {"n": seq},
    }
    base.update(kw)
    return CaseEvent(**base)


@pytest.fixture
def store(db: RegionDatabase) -> CaseStore:
    return db.cases


def test_implements_the_port(store: CaseStore) -> None:
    assert isinstance(store, CaseStore)


def test_create_get_round_trip(store: CaseStore) -> None:
    due = datetime(2026, 3, 3, 16, 0, tzinfo=timezone(timedelta(hours=7)))
    store.create(case("req-1", due_at=due, data={"a": [1, 2], "b": {"c": "đ"}}))
    got = store.get("req-1")
    assert got is not None
    assert got.due_at == due and got.due_at.tzinfo is not None
    assert got.data == {"a": [1, 2], "b": {"c": "đ"}}
    assert got.version == 1 and got.created_at == T0
    assert store.get("nope") is None


def test_create_twice_conflicts(store: CaseStore) -> None:
    store.create(case("req-1"))
    with pytest.raises(CaseConflict):
        store.create(case("req-1", state="other"))
    got = store.get("req-1")
    assert got is not None and got.state == "received"


@pytest.mark.parametrize("bad", ["", "has space", "-leading", "x" * 129])
def test_bad_case_ids_are_input_errors(store: CaseStore, bad: str) -> None:
    with pytest.raises(InputError):
        store.create(case(bad))


def test_data_must_be_json(store: CaseStore) -> None:
    with pytest.raises(InputError):
        store.create(case("req-1", data={"x": object()}))
    assert store.get("req-1") is None


def test_update_is_compare_and_set(store: CaseStore) -> None:
    store.create(case("req-1"))
    first = store.get("req-1")
    assert first is not None
    later = T0 + timedelta(hours=1)
    stored = store.update(replace(first, state="authenticating", updated_at=later, data={"k": 1}))
    assert stored.version == 2 and stored.state == "authenticating"
    assert stored.updated_at == later and stored.data == {"k": 1}
    assert stored.created_at == T0
    with pytest.raises(CaseConflict) as err:
        store.update(replace(first, state="classified"))
    assert err.value.details["actual"] == 2
    again = store.get("req-1")
    assert again is not None and again.state == "authenticating"


def test_update_missing_case(store: CaseStore) -> None:
    with pytest.raises(CaseNotFound):
        store.update(case("ghost"))


def test_update_can_clear_the_deadline(store: CaseStore) -> None:
    store.create(case("req-1", due_at=T0))
    stored = store.update(replace(case("req-1"), due_at=None))
    assert stored.due_at is None


def test_history_is_append_only_and_ordered(store: CaseStore) -> None:
    store.create(case("req-1"))
    for seq in (1, 3, 2):
        store.append_event(event("req-1", seq))
    assert [e.seq for e in store.events("req-1")] == [1, 2, 3]
    with pytest.raises(CaseConflict):
        store.append_event(event("req-1", 2, action="late"))
    assert store.events("req-1")[1].action == "a2"
    assert store.events("req-1")[0].note == {"n": 1}
    assert store.events("other") == []


def test_event_needs_a_case(store: CaseStore) -> None:
    with pytest.raises(CaseNotFound):
        store.append_event(event("ghost", 1))


def test_rollback_undoes_case_event_and_hold(db: RegionDatabase, store: CaseStore) -> None:
    store.create(case("req-1"))
    with pytest.raises(RuntimeError), db.transaction():
        current = store.get("req-1")
        assert current is not None
        store.update(replace(current, state="authenticating"))
        store.append_event(event("req-1", 1))
        store.create(case("req-2"))
        store.put_hold(LegalHold(b"r" * 32, "req-1", T0, T0 + timedelta(days=90)))
        raise RuntimeError("boom")
    after = store.get("req-1")
    assert after is not None and after.state == "received" and after.version == 1
    assert store.events("req-1") == []
    assert store.get("req-2") is None
    assert store.holds() == []


def _ids(store: CaseStore, **kw: Any) -> list[str]:
    out: list[str] = []
    cursor = None
    while True:
        page = store.page(CaseQuery(after=cursor, limit=2, **kw))
        out.extend(c.case_id for c in page.cases)
        assert len(page.cases) <= 2
        if page.next_cursor is None:
            return out
        cursor = page.next_cursor


def test_listing_filters_and_keyset_pages(store: CaseStore) -> None:
    for i in range(7):
        store.create(
            case(
                f"req-{i}",
                kind="authority_request" if i % 2 == 0 else "takedown",
                state="closed" if i == 4 else "received",
                due_at=T0 + timedelta(hours=10 - i) if i != 3 else None,
                created_at=T0 + timedelta(days=i),
            )
        )
    assert _ids(store) == [f"req-{i}" for i in range(7)]
    assert _ids(store, kind="takedown") == ["req-1", "req-3", "req-5"]
    assert _ids(store, kind="authority_request", states=["received"]) == ["req-0", "req-2", "req-6"]
    assert _ids(store, states=[]) == []
    # due order: earliest first, cases without a deadline left out
    assert _ids(store, order="due_at") == ["req-6", "req-5", "req-4", "req-2", "req-1", "req-0"]
    assert _ids(store, order="due_at", due_before=T0 + timedelta(hours=7)) == [
        "req-6",
        "req-5",
        "req-4",
    ]
    window = _ids(store, created_from=T0 + timedelta(days=2), created_before=T0 + timedelta(days=5))
    assert window == ["req-2", "req-3", "req-4"]


def test_due_listing_breaks_ties_by_id(store: CaseStore) -> None:
    for cid in ("b", "a", "c"):
        store.create(case(cid, due_at=T0))
    assert _ids(store, order="due_at") == ["a", "b", "c"]


def test_listing_rejects_bad_arguments(store: CaseStore) -> None:
    with pytest.raises(InputError):
        store.page(CaseQuery(order="state"))
    with pytest.raises(InputError):
        store.page(CaseQuery(limit=-1))
    with pytest.raises(InputError):
        store.page(CaseQuery(order="due_at", after="not-a-cursor"))


def test_counts_by_kind_and_state(store: CaseStore) -> None:
    store.create(case("a"))
    store.create(case("b"))
    store.create(case("c", state="closed"))
    store.create(case("d", kind="takedown"))
    assert store.counts() == {
        ("authority_request", "received"): 2,
        ("authority_request", "closed"): 1,
        ("takedown", "received"): 1,
    }
    assert store.counts("takedown") == {("takedown", "received"): 1}


def test_holds_upsert_filter_and_expire(store: CaseStore) -> None:
    store.create(case("req-1"))
    store.create(case("req-2"))
    a, b = b"a" * 32, b"b" * 32
    store.put_hold(LegalHold(a, "req-1", T0, T0 + timedelta(days=90)))
    store.put_hold(LegalHold(b, "req-1", T0, T0 + timedelta(days=10)))
    store.put_hold(LegalHold(a, "req-2", T0, T0 + timedelta(days=30)))
    assert [(h.case_id, h.subject_ref) for h in store.holds()] == [
        ("req-1", a), ("req-1", b), ("req-2", a)
    ]  # fmt: skip
    assert len(store.holds(subject_refs=[a])) == 2
    assert store.holds(subject_refs=[]) == []
    late = T0 + timedelta(days=20)
    assert [h.subject_ref for h in store.holds(case_id="req-1", active_at=late)] == [a]
    # extend once (upsert keeps one row per case and subject)
    store.put_hold(LegalHold(b, "req-1", T0, T0 + timedelta(days=100), extended=True))
    held = store.holds(case_id="req-1", subject_refs=[b])
    assert len(held) == 1 and held[0].extended and held[0].expires_at == T0 + timedelta(days=100)
    # release
    store.put_hold(replace(held[0], released_at=late))
    assert store.holds(subject_refs=[b], active_at=late) == []
    assert store.holds(subject_refs=[b])[0].released_at == late


def test_hold_needs_case_and_valid_window(store: CaseStore) -> None:
    with pytest.raises(CaseNotFound):
        store.put_hold(LegalHold(b"a" * 32, "ghost", T0, T0 + timedelta(days=1)))
    store.create(case("req-1"))
    with pytest.raises(InputError):
        store.put_hold(LegalHold(b"a" * 32, "req-1", T0, T0))


def test_survives_reopen(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'r.db'}"
    db = open_database(url)
    db.cases.create(case("req-1"))  # type: ignore[attr-defined]
    db.cases.append_event(event("req-1", 1))  # type: ignore[attr-defined]
    db.close()
    db = open_database(url)
    assert db.cases.get("req-1") is not None  # type: ignore[attr-defined]
    assert len(db.cases.events("req-1")) == 1  # type: ignore[attr-defined]
    db.close()
