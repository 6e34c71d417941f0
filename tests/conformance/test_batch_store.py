"""The BatchStore port, held to one behaviour on memory, SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from onshore.ports import BatchDecision, RegionDatabase, SealedRecord, StagedShare

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def _share(batch_id: str, at: datetime = T0) -> StagedShare:
    return StagedShare(batch_id, "sg-1", ("sg-1", "vn-hcm"), at)


def test_stage_list_read_and_discard(db: RegionDatabase) -> None:
    b = db.batches
    b.stage(_share("b2", T0 + timedelta(seconds=1)), [("r3", b"three")])
    b.stage(_share("b1"), [("r1", b"one"), ("r2", b"\x00two")])
    assert [s.batch_id for s in b.shares()] == ["b1", "b2"]
    assert b.share("b1") == _share("b1")
    assert b.share("nope") is None
    assert b.rows("b1") == [b"one", b"\x00two"]
    assert b.holding(["r2", "r3", "zz"]) == {"b1", "b2"}
    assert b.holding([]) == set()
    assert b.discard("b1") is True
    assert b.discard("b1") is False
    assert b.rows("b1") == [] and b.holding(["r1"]) == set()
    assert [s.batch_id for s in b.shares()] == ["b2"]


def test_a_pending_share_is_not_a_record(db: RegionDatabase) -> None:
    db.batches.stage(_share("b1"), [("r1", b"x")])
    assert db.records.get("r1") is None
    assert db.records.count() == 0
    assert db.records.existing(["r1"]) == set()


def test_first_decision_wins(db: RegionDatabase) -> None:
    b = db.batches
    assert b.decide(BatchDecision("b1", "abort", ("sg-1",), T0)) == "abort"
    assert b.decide(BatchDecision("b1", "commit", ("sg-1",), T0)) == "abort"
    assert b.decide(BatchDecision("b2", "commit", ("sg-1", "vn-hcm"), T0)) == "commit"
    assert b.decision("b2") == BatchDecision("b2", "commit", ("sg-1", "vn-hcm"), T0)
    assert b.decision("b3") is None
    assert [d.batch_id for d in b.decisions()] == ["b1", "b2"]
    assert b.forget("b1") is True and b.forget("b1") is False
    assert [d.batch_id for d in b.decisions()] == ["b2"]


def test_rollback_takes_staging_and_decisions_back(db: RegionDatabase) -> None:
    with pytest.raises(RuntimeError), db.transaction():
        db.batches.stage(_share("b1"), [("r1", b"x")])
        db.batches.decide(BatchDecision("b1", "commit", ("sg-1",), T0))
        raise RuntimeError("boom")
    assert db.batches.shares() == [] and db.batches.decisions() == []


def test_existing_names_the_stored_ids(db: RegionDatabase) -> None:
    record = SealedRecord("r1", "sg-1", b"s", "k", T0, (), "kek:1", b"w", b"n", b"c")
    db.records.put(record)
    assert db.records.existing(["r1", "r2", "r1"]) == {"r1"}
    assert db.records.existing([]) == set()
