"""Conformance of ``AudienceStore`` on every backend (memory, SQLite, PostgreSQL)."""

from __future__ import annotations

from typing import Any

import pyarrow as pa
import pytest

from onshore.adapters.sql.audience import BATCH_COLUMNS
from onshore.core.errors import StoreIntegrityError
from onshore.ports import AudienceStore, RegionDatabase

AT = "2026-01-02T00:00:00+00:00"


def _table(*rows: tuple[Any, ...]) -> pa.Table:
    """A batch table from ``(subject, day, subscribers, line)`` rows (country VN)."""
    full = [(s, "VN", d, "account", n, None, 0, 1, line) for s, d, n, line in sorted(rows)]
    return pa.table({c: [r[i] for r in full] for i, c in enumerate(BATCH_COLUMNS)})


def _days(table: pa.Table) -> dict[tuple[str, str], int]:
    out: dict[tuple[str, str], int] = {}
    for country, day in zip(
        table.column("country").to_pylist(), table.column("day").to_pylist(), strict=True
    ):
        out[(country, day)] = out.get((country, day), 0) + 1
    return out


def _apply(store: AudienceStore, batch_id: str, table: pa.Table) -> dict[str, int]:
    return store.apply(batch_id, {"format": "csv"}, table, _days(table), AT)


def test_is_the_port(db: RegionDatabase) -> None:
    assert isinstance(db.audience, AudienceStore)
    assert db.audience.count() == 0 and db.audience.states() == {}


def test_a_new_day_is_inserted_and_read_back(db: RegionDatabase) -> None:
    store = db.audience
    table = _table(("acct-1", "2026-01-01", 5, 2), ("acct-1", "2026-01-02", 7, 3))
    assert _apply(store, "b1", table) == {"inserted": 2, "updated": 0, "unchanged": 0}
    assert [(o.day, o.subscribers, o.batch_id, o.line) for o in store.series("acct-1", "VN")] == [
        ("2026-01-01", 5, "b1", 2),
        ("2026-01-02", 7, "b1", 3),
    ]
    assert [o.day for o in store.series("acct-1", "VN", since="2026-01-02")] == ["2026-01-02"]
    found = store.batch("b1")
    assert found is not None and found["batch_id"] == "b1" and found["format"] == "csv"
    assert store.batch("b2") is None


def test_a_revisited_day_keeps_the_replaced_value(db: RegionDatabase) -> None:
    store = db.audience
    _apply(store, "b1", _table(("acct-1", "2026-01-01", 5, 2), ("acct-2", "2026-01-01", 1, 3)))
    table = _table(
        ("acct-1", "2026-01-01", 6, 2),
        ("acct-2", "2026-01-01", 1, 3),
        ("acct-3", "2026-01-01", 9, 4),
    )
    assert _apply(store, "b2", table) == {"inserted": 1, "updated": 1, "unchanged": 1}
    assert store.count() == 3
    assert store.revisions("acct-1", "VN", "2026-01-01") == [
        {
            "subscribers": 5,
            "monthly_visits": None,
            "livestreaming": 0,
            "monetised": 1,
            "batch_id": "b1",
            "line": 2,
            "replaced_by": "b2",
        }
    ]
    assert [o.batch_id for o in store.series("acct-2", "VN")] == ["b1"]


def test_applying_a_batch_twice_is_refused(db: RegionDatabase) -> None:
    store = db.audience
    _apply(store, "b1", _table(("acct-1", "2026-01-01", 5, 2)))
    with pytest.raises(StoreIntegrityError), db.transaction():
        _apply(store, "b1", _table(("acct-1", "2026-01-02", 6, 2)))
    assert [o.day for o in store.series("acct-1", "VN")] == ["2026-01-01"]


def test_threshold_states_are_replaced(db: RegionDatabase) -> None:
    store = db.audience
    store.put_state("acct-1", "VN", {"rules": {"r1": {"above": True}}})
    store.put_states([("acct-1", "VN", {"rules": {}}), ("acct-2", "VN", {"rules": {"r": {}}})])
    store.put_states([])
    assert store.states() == {
        ("acct-1", "VN"): {"rules": {}},
        ("acct-2", "VN"): {"rules": {"r": {}}},
    }


def test_a_failed_transaction_applies_nothing(db: RegionDatabase) -> None:
    with pytest.raises(RuntimeError), db.transaction():
        _apply(db.audience, "b1", _table(("acct-1", "2026-01-01", 5, 2)))
        raise RuntimeError("boom")
    assert db.audience.count() == 0 and db.audience.batch("b1") is None
