"""The Ledger service: append in the caller's transaction, checkpoints, proofs, shredding."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from onshore.adapters import open_database
from onshore.core.errors import LeafError, LeafNotFound, PayloadRejected
from onshore.core.ledger import (
    LEAF_SIZE,
    EventType,
    LedgerEvent,
    ProofBundle,
    decode_leaf,
    parse_checkpoint,
    verify_bundle,
)
from onshore.core.ledger.note import verify_note
from onshore.services.ledger import Ledger
from tests.ledger.conftest import REGION, T0, ledger_keys, placed


def test_append_joins_the_callers_transaction(log: Ledger) -> None:
    with pytest.raises(RuntimeError), log.db.transaction():
        assert log.append([placed(0), placed(1)]) == [0, 1]
        raise RuntimeError("the vault's write failed")
    assert log.store.size() == 0
    assert log.history("rec-0") == []
    with log.db.transaction():
        assert log.append([placed(0), placed(1)]) == [0, 1]
    assert log.append([placed(2)]) == [2]
    assert [e.index for e in log.history("rec-1")] == [1]


def test_leaves_are_fixed_width_and_decode(log: Ledger) -> None:
    log.append([placed(0), placed(1, actor=None, payload={})])
    rows = log.store.leaves(0, 2)
    assert all(len(entry) == LEAF_SIZE for _, entry, _ in rows)
    leaf = decode_leaf(rows[0][1])
    assert leaf.type is EventType.RECORD_PLACED
    assert leaf.region == REGION
    assert leaf.at == T0
    assert leaf.record_ref and leaf.subject_ref and leaf.actor_ref is None


def test_bad_events_write_nothing(log: Ledger) -> None:
    with pytest.raises(PayloadRejected):
        log.append([placed(0), placed(1, payload={"email": "a@example.com"})])
    with pytest.raises(LeafError):
        log.append([placed(0), LedgerEvent(EventType.RECORD_READ, T0, "sg-1", record_id="x")])
    with pytest.raises(LeafError):
        log.append([LedgerEvent(EventType.RECORD_READ, T0.replace(tzinfo=None), REGION)])
    assert log.store.size() == 0


def test_checkpoint_prove_and_offline_verify(log: Ledger) -> None:
    log.append([placed(i) for i in range(300)])
    note = log.checkpoint(T0)
    cp = parse_checkpoint(verify_note(note, log.verifier_key()))
    assert (cp.origin, cp.size) == (f"onshore/{REGION}", 300)
    bundle = log.prove("rec-257")
    assert bundle.index == 257
    again = ProofBundle.from_json(bundle.to_json())
    report = verify_bundle(again, log.verifier_key())
    assert report.tree_size == 300 and report.event.type is EventType.RECORD_PLACED
    assert json.loads(bundle.to_json())["event"]["region"] == REGION


def test_checkpoints_chain_and_repeat(log: Ledger) -> None:
    log.append([placed(i) for i in range(5)])
    first = log.checkpoint(T0)
    assert log.checkpoint(T0 + timedelta(hours=1)) == first
    log.append([placed(i) for i in range(5, 600)])
    log.checkpoint(T0 + timedelta(hours=2))
    assert [c[0] for c in log.store.checkpoints()] == [5, 600]
    assert log.verify().ok


def test_prove_makes_a_checkpoint_when_none_covers_the_leaf(log: Ledger) -> None:
    log.append([placed(0)])
    log.checkpoint(T0)
    log.append([placed(1)])
    bundle = log.prove("rec-1", at=T0)
    assert parse_checkpoint(verify_note(bundle.checkpoint, log.verifier_key())).size == 2


def test_prove_unknown_record(log: Ledger) -> None:
    log.append([placed(0)])
    with pytest.raises(LeafNotFound) as err:
        log.prove("no-such-record")
    assert err.value.code == "ledger.leaf_not_found"


def test_prove_prefers_the_placement_leaf(log: Ledger) -> None:
    log.append([placed(0)])
    log.append([LedgerEvent(EventType.RECORD_ERASED, T0, REGION, record_id="rec-0")])
    assert log.prove("rec-0").index == 0
    assert log.prove("rec-0", event=None).index == 1


def test_shredding_a_payload_keeps_proofs_valid(log: Ledger) -> None:
    log.append(
        [placed(i, payload={"kind": "profile", "refs": {"case": f"C-{i}"}}) for i in range(4)]
    )
    log.checkpoint(T0)
    leaf = decode_leaf(log.store.leaves(2, 3)[0][1])
    assert log.store.payload(leaf.payload_commitment) is not None
    assert log.shred_payload(leaf.payload_commitment)
    assert log.store.payload(leaf.payload_commitment) is None
    report = log.verify()
    assert report.ok and report.payloads_missing == 1
    verify_bundle(log.prove("rec-2"), log.verifier_key())


def test_hmac_key_rotation_still_finds_old_records(log: Ledger) -> None:
    log.append([placed(0)])
    log.keys.rotate("ledger-hmac")
    log.append([placed(1)])
    assert decode_leaf(log.store.leaves(1, 2)[0][1]).key_version == 2
    assert log.prove("rec-0", at=T0).index == 0
    assert log.prove("rec-1", at=T0).index == 1


def test_signing_key_rotation_keeps_old_checkpoints_verifiable(log: Ledger) -> None:
    log.append([placed(0)])
    log.checkpoint(T0)
    log.keys.rotate("ledger-signing")
    log.append([placed(1)])
    log.checkpoint(T0)
    assert log.verify().ok


def test_memory_backend_round_trip() -> None:
    db = open_database("memory://")
    log = Ledger(REGION, db, ledger_keys())
    with db.transaction():
        log.append([placed(i) for i in range(40)])
    log.checkpoint(T0)
    verify_bundle(log.prove("rec-39"), log.verifier_key())
    assert log.verify().ok


@pytest.mark.postgres
def test_postgres_round_trip(pg_url: str) -> None:
    db = open_database(pg_url)
    try:
        log = Ledger(REGION, db, ledger_keys())
        with db.transaction():
            log.append([placed(i) for i in range(300)])
        log.checkpoint(T0)
        log.append([placed(i) for i in range(300, 310)])
        log.checkpoint(T0 + timedelta(minutes=1))
        verify_bundle(log.prove("rec-299"), log.verifier_key())
        assert log.verify().ok
    finally:
        db.close()
