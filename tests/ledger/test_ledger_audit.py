"""``Ledger.audit()``: the record store reconciled with the ledger, typed findings."""

from __future__ import annotations

import secrets
from datetime import timedelta

import pytest

from onshore.core.errors import LedgerAuditFailed
from onshore.core.ledger import EventType, LedgerEvent
from onshore.ports import SealedRecord
from onshore.services import failpoints
from onshore.services.ledger import Ledger
from onshore.services.ledger_findings import KINDS, AuditReport
from tests.ledger.conftest import REGION, T0, placed


def row(record_id: str) -> SealedRecord:
    """A sealed-looking row (the audit only reads record ids)."""
    return SealedRecord(
        record_id, REGION, b"s" * 32, "profile", T0, ("email",), "kek:1",
        secrets.token_bytes(60), secrets.token_bytes(12), secrets.token_bytes(40), (),
    )  # fmt: skip


def store_rows(log: Ledger, *ids: str) -> None:
    with log.db.transaction():
        log.db.records.put_many([row(i) for i in ids])


def event(kind: EventType, i: int, **payload: object) -> LedgerEvent:
    return LedgerEvent(
        kind, T0 + timedelta(minutes=i), REGION, record_id=f"rec-{i}", payload=payload
    )


def kinds(report: AuditReport) -> list[str]:
    return sorted(f.kind for f in report.findings)


def test_rows_and_placements_that_match_are_clean(log: Ledger) -> None:
    log.append([placed(i) for i in range(5)])
    store_rows(log, *(f"rec-{i}" for i in range(5)))
    report = log.audit()
    assert report.ok and report.records == 5 and report.size == 5
    assert report.to_dict()["findings"] == []


def test_row_without_leaf_and_leaf_without_row_are_named(log: Ledger) -> None:
    log.append([placed(i) for i in range(3)])
    store_rows(log, "rec-0", "rec-1", "stray")
    report = log.audit()
    assert kinds(report) == ["placement.no_record", "record.no_placement"]
    by_kind = {f.kind: f for f in report.findings}
    assert by_kind["record.no_placement"].record_id == "stray"
    assert by_kind["placement.no_record"].index == 2
    assert report.first_bad_index == 2


def test_erasure_and_transfers_account_for_missing_rows(log: Ledger) -> None:
    log.append([placed(i) for i in range(4)])
    log.append([event(EventType.RECORD_ERASED, 0)])
    out = {"from_region": REGION, "to_region": "sg-1", "purpose": "p", "rules": []}
    log.append([event(EventType.RECORD_TRANSFERRED, 1, **out)])
    inbound = {"from_region": "sg-1", "to_region": REGION, "purpose": "p", "rules": []}
    log.append([event(EventType.RECORD_TRANSFERRED, 9, **inbound)])
    store_rows(log, "rec-2", "rec-3", "rec-9")
    assert log.audit().ok


def test_transfer_direction_is_inferred_when_the_payload_was_shredded(log: Ledger) -> None:
    log.append([placed(1)])
    payload = {"from_region": REGION, "to_region": "sg-1", "purpose": "shred-me", "rules": []}
    [index] = log.append([event(EventType.RECORD_TRANSFERRED, 1, **payload)])
    commitment = log.history("rec-1")[-1].leaf.payload_commitment
    assert log.shred_payload(commitment)
    assert log.audit().ok  # placed then moved away: no row expected
    store_rows(log, "rec-1")
    report = log.audit()
    assert kinds(report) == ["record.after_erasure"]
    assert report.findings[0].index == index


def test_a_row_stored_after_its_erasure_is_named(log: Ledger) -> None:
    log.append([placed(1), event(EventType.RECORD_ERASED, 1)])
    store_rows(log, "rec-1")
    assert kinds(log.audit()) == ["record.after_erasure"]


def test_a_second_placement_of_a_live_record_is_a_duplicate(log: Ledger) -> None:
    """Finding 1's symptom: a retried batch stored the same record's placement twice."""
    log.append([placed(1), placed(2)])
    log.append([placed(1)])
    store_rows(log, "rec-1", "rec-2")
    report = log.audit()
    assert kinds(report) == ["placement.duplicate"]
    assert report.findings[0].index == 2
    # placed again after an erasure is a new life, not a duplicate
    log.append([event(EventType.RECORD_ERASED, 2), placed(2)])
    assert kinds(log.audit()) == ["placement.duplicate"]


def test_rows_and_leaves_written_after_the_scan_are_not_findings(log: Ledger) -> None:
    """A leaf past the audited size (a write racing the audit) clears its row."""
    log.append([placed(1)])
    store_rows(log, "rec-1")
    report = AuditReport(REGION, size=0)
    from onshore.services.ledger_reconcile import reconcile

    reconcile(log, log.db.records, [], report)
    assert report.ok


def test_every_finding_kind_is_documented() -> None:
    from pathlib import Path

    text = (Path(__file__).parents[2] / "docs" / "ledger.md").read_text(encoding="utf-8")
    for kind in KINDS:
        assert f"`{kind}`" in text, kind


def test_full_checkpoint_refuses_and_signs_nothing(log: Ledger) -> None:
    log.append([placed(i) for i in range(3)])
    store_rows(log, "rec-0", "rec-1")
    with pytest.raises(LedgerAuditFailed) as refused:
        log.checkpoint(T0, full=True)
    assert refused.value.details["counts"] == {"placement.no_record": 1}
    assert log.store.checkpoints() == []
    store_rows(log, "rec-2")
    log.checkpoint(T0, full=True)
    assert log.store.latest_checkpoint()[0] == 3  # type: ignore[index]


def test_checkpoint_hashes_leaf_bytes_not_the_stored_column(log: Ledger) -> None:
    """Finding 3: checkpoint trusted the stored ``leaf_hash`` column."""
    log.append([placed(i) for i in range(4)])
    log.checkpoint(T0)
    log.append([placed(4)])
    with log.db.transaction():
        log.db.execute("UPDATE ledger_leaves SET leaf_hash = ? WHERE idx = 4", (bytes(32),))  # type: ignore[attr-defined]
    with pytest.raises(LedgerAuditFailed, match=r"leaf\.hash_mismatch"):
        log.checkpoint(T0)
    with pytest.raises(LedgerAuditFailed):
        log.integrate()
    assert len(log.store.checkpoints()) == 1


def test_failpoint_before_checkpoint_sign(log: Ledger, monkeypatch: pytest.MonkeyPatch) -> None:
    log.append([placed(0)])
    monkeypatch.setenv(failpoints.ENV, "ledger.before_checkpoint_sign=raise")
    failpoints.reset()
    try:
        with pytest.raises(failpoints.FailpointTriggered):
            log.checkpoint(T0)
        assert log.store.checkpoints() == []
    finally:
        monkeypatch.delenv(failpoints.ENV)
        failpoints.reset()
    log.checkpoint(T0)
    assert len(log.store.checkpoints()) == 1


def test_failpoint_after_leaf_append_rolls_back(
    log: Ledger, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(failpoints.ENV, "ledger.after_leaf_append=raise")
    failpoints.reset()
    try:
        with pytest.raises(failpoints.FailpointTriggered), log.db.transaction():
            log.append([placed(0)])
        assert log.store.size() == 0
    finally:
        monkeypatch.delenv(failpoints.ENV)
        failpoints.reset()
