"""Cross-region batches fail at every step and recover whole or absent (in-process).

The kill -9 suite (``tests/reliability``) does this with real process deaths; here each
step raises instead (``ONSHORE_FAILPOINTS=...=raise@N``), and the races of the two-phase
commit are played out deterministically.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest

from onshore.core.errors import StoreUnavailable
from onshore.core.ledger import EventType
from onshore.services import failpoints
from onshore.services.batch_recovery import recover
from onshore.services.vault import RecordInput, Vault

VN, SG = "+84912345678", "+6581234567"


def _batch(tag: str = "r") -> list[RecordInput]:
    return [
        RecordInput(
            f"u{i}",
            "profile",
            {"i": i},
            {"phone_number": VN if i % 2 else SG},
            record_id=f"{tag}{i}",
        )
        for i in range(4)
    ]


def _visible(vault: Vault, batch: list[RecordInput]) -> int:
    ids = [r.record_id for r in batch]
    return sum(len(r.db.records.existing(ids)) for r in vault.runtime.regions.values())  # type: ignore[arg-type]


def _one_leaf_each(vault: Vault) -> None:
    for name, region in vault.runtime.regions.items():
        assert region.db.ledger.size() == region.db.records.count(), name
        assert vault.ledger(name).verify().ok


@pytest.fixture
def failpoint(monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    yield monkeypatch
    monkeypatch.delenv(failpoints.ENV, raising=False)
    failpoints.reset()


# hits of a two-region batch: stage vn-hcm, decide with sg-1's share (the coordinator's
# records commit with the decision), apply vn-hcm
@pytest.mark.parametrize("point", ["vault.before_commit", "vault.after_region_commit"])
@pytest.mark.parametrize("hit", [1, 2, 3])
def test_a_failure_at_every_step_recovers_whole_or_absent(
    vault: Vault, failpoint: pytest.MonkeyPatch, point: str, hit: int
) -> None:
    failpoint.setenv(failpoints.ENV, f"{point}=raise@{hit}")
    failpoints.reset()
    with pytest.raises(failpoints.FailpointTriggered):
        vault.put_many(_batch())
    failpoint.delenv(failpoints.ENV)
    failpoints.reset()
    vault.recover(stale_after=timedelta(0))
    committed = (point == "vault.after_region_commit" and hit >= 2) or hit >= 3
    assert _visible(vault, _batch()) == (4 if committed else 0)
    _one_leaf_each(vault)
    receipts = vault.put_many(_batch())  # the caller's retry
    assert _visible(vault, _batch()) == 4
    for r in receipts:
        types = [e.leaf.type for e in vault.ledger(r.region).history(r.record_id)]
        assert types == [EventType.RECORD_PLACED]
    _one_leaf_each(vault)
    for region in vault.runtime.regions.values():
        assert region.db.batches.shares() == []
        assert [d for d in region.db.batches.decisions() if d.outcome == "commit"] == []


def test_a_recovery_that_aborts_first_wins_over_a_slow_writer(
    vault: Vault, monkeypatch: pytest.MonkeyPatch
) -> None:
    coordinator = vault.runtime.regions["sg-1"].db.batches
    decide = coordinator.decide

    raced: list[bool] = []

    def race(decision):  # type: ignore[no-untyped-def]
        if not raced:  # another process's recovery gets there first
            raced.append(True)
            recover(vault.region_set, stale_after=timedelta(0))
        return decide(decision)

    monkeypatch.setattr(coordinator, "decide", race)
    with pytest.raises(StoreUnavailable) as info:
        vault.put_many(_batch())
    assert info.value.details["reason"] == "batch_aborted"
    monkeypatch.undo()
    assert _visible(vault, _batch()) == 0
    assert [d.outcome for d in coordinator.decisions()] == ["abort"]
    assert all(not r.db.batches.shares() for r in vault.runtime.regions.values())
    vault.put_many(_batch())
    assert _visible(vault, _batch()) == 4
    _one_leaf_each(vault)


def test_an_unreachable_coordinator_blocks_only_writes_that_reuse_its_ids(
    vault: Vault, failpoint: pytest.MonkeyPatch
) -> None:
    failpoint.setenv(failpoints.ENV, "vault.before_commit=raise@2")  # fails in the decision
    failpoints.reset()
    with pytest.raises(failpoints.FailpointTriggered):
        vault.put_many(_batch())
    failpoint.delenv(failpoints.ENV)
    failpoints.reset()
    sg = vault.runtime.regions["sg-1"].db
    vn = vault.runtime.regions["vn-hcm"].db
    assert len(vn.batches.shares()) == 1  # left pending: the decision may have committed

    def down(batch_id: str) -> None:
        raise StoreUnavailable("sg-1 is down")

    failpoint.setattr(sg.batches, "decision", down)
    with pytest.raises(StoreUnavailable) as info:
        vault.put_many(_batch())
    assert info.value.details == {"region": "sg-1", "reason": "batch_in_doubt"}
    vault.put_many(_batch("other"))  # other records are not held up
    failpoint.undo()
    vault.put_many(_batch())
    assert _visible(vault, _batch()) == 4
    _one_leaf_each(vault)
