"""Record ids are idempotent: the same content again returns the original receipt and adds no
leaf; different content is ``record.conflict``; ``Vault.update`` is the explicit change."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from onshore.core.errors import PolicyDenied, RecordConflict, RecordNotFound
from onshore.core.ledger import EventType
from onshore.services.vault import RecordInput, Vault

VN = "+84912345678"
SG = "+6581234567"


def _sizes(vault: Vault) -> dict[str, int]:
    return {n: r.db.ledger.size() for n, r in vault.runtime.regions.items()}


def test_same_content_again_returns_the_original_receipt(vault: Vault) -> None:
    first = vault.put("u1", "profile", {"phone": VN}, {"phone_number": VN}, record_id="r-1")
    vault.put("u2", "profile", {"phone": VN}, {"phone_number": VN})
    sizes = _sizes(vault)
    again = vault.put("u1", "profile", {"phone": VN}, {"phone_number": VN}, record_id="r-1")
    assert again == first
    assert _sizes(vault) == sizes


def test_different_content_is_a_conflict_and_changes_nothing(vault: Vault) -> None:
    vault.put("u1", "profile", {"phone": VN}, {"phone_number": VN}, record_id="r-1")
    sizes = _sizes(vault)
    for subject, kind, data in [
        ("u1", "profile", {"phone": VN, "name": "Lan"}),
        ("u9", "profile", {"phone": VN}),
        ("u1", "login", {"phone": VN}),
    ]:
        with pytest.raises(RecordConflict) as info:
            vault.put(subject, kind, data, {"phone_number": VN}, record_id="r-1")
        assert info.value.code == "record.conflict"
        assert info.value.details == {"record_id": "r-1", "region": "vn-hcm"}
    assert vault.get("r-1").data == {"phone": VN}
    assert _sizes(vault) == sizes


def test_a_conflict_in_a_cross_region_batch_writes_nothing(vault: Vault) -> None:
    vault.put("u1", "profile", {"phone": SG}, {"phone_number": SG}, record_id="sg-a")
    sizes = _sizes(vault)
    with pytest.raises(RecordConflict):
        vault.put_many(
            [
                RecordInput("u2", "profile", {"phone": VN}, {"phone_number": VN}, record_id="vn-a"),
                RecordInput("u1", "profile", {"x": 1}, {"phone_number": SG}, record_id="sg-a"),
            ]
        )
    assert _sizes(vault) == sizes
    with pytest.raises(RecordNotFound):
        vault.get("vn-a")
    assert all(not r.db.batches.shares() for r in vault.runtime.regions.values())


def test_a_repeated_id_within_a_batch(vault: Vault) -> None:
    item = RecordInput("u1", "profile", {"phone": VN}, {"phone_number": VN}, record_id="r-1")
    receipts = vault.put_many([item, item])
    assert receipts[0] == receipts[1]
    assert _sizes(vault)["vn-hcm"] == 1
    other = RecordInput("u1", "profile", {"phone": SG}, {"phone_number": VN}, record_id="r-2")
    changed = RecordInput("u1", "profile", {"phone": VN}, {"phone_number": VN}, record_id="r-2")
    with pytest.raises(RecordConflict):
        vault.put_many([other, changed])


def test_retried_cross_region_batch_keeps_one_placement_leaf_per_record(vault: Vault) -> None:
    batch = [
        RecordInput(
            f"u{i}", "profile", {"i": i}, {"phone_number": VN if i % 2 else SG}, record_id=f"r{i}"
        )
        for i in range(6)
    ]
    first = vault.put_many(batch)
    assert {r.region for r in first} == {"vn-hcm", "sg-1"}
    assert vault.put_many(batch) == first
    assert vault.put_many(list(reversed(batch))) == list(reversed(first))
    for r in first:
        history = vault.ledger(r.region).history(r.record_id)
        assert [e.leaf.type for e in history] == [EventType.RECORD_PLACED]
    assert _sizes(vault) == {"vn-hcm": 3, "sg-1": 3}


def test_update_is_its_own_ledger_event(vault: Vault) -> None:
    first = vault.put("u1", "profile", {"phone": VN}, {"phone_number": VN}, record_id="r-1")
    updated = vault.update("r-1", {"phone": VN, "name": "Lan"}, actor="ops")
    assert (updated.region, updated.ledger_index) == ("vn-hcm", first.ledger_index + 1)
    record = vault.get("r-1")
    assert record.data == {"phone": VN, "name": "Lan"} and record.subject_id == "u1"
    history = vault.ledger("vn-hcm").history("r-1")
    assert [e.leaf.type for e in history] == [EventType.RECORD_PLACED, EventType.RECORD_UPDATED]
    # the new content is now what a retry must match; its receipt is the update's
    again = vault.put("u1", "profile", {"phone": VN, "name": "Lan"}, record_id="r-1")
    assert again == updated
    with pytest.raises(RecordConflict):
        vault.put("u1", "profile", {"phone": VN}, {"phone_number": VN}, record_id="r-1")
    assert vault.ledger("vn-hcm").verify().ok


def test_update_needs_an_existing_record_and_a_permitted_region(
    vault_factory: Callable[..., Vault], tmp_path: Path
) -> None:
    regions = {"sg-1": {"country": "SG", "store": f"sqlite:///{tmp_path}/only-sg.db"}}
    # an entity foreign to VN (no D53 storage duty) may keep a VN subject's data offshore...
    foreign = {"incorporated_in": "SG", "sectors": ["social_network"]}
    first = vault_factory(regions=regions, entity=foreign)
    with pytest.raises(RecordNotFound):
        first.update("nope", {"a": 1})
    first.put("u-vn", "profile", {"phone": VN}, {"phone_number": VN}, record_id="p-1")
    first.close()
    # ...a domestic one may not: an update under the stricter facts is refused
    domestic = vault_factory(regions=regions)
    size = domestic.runtime.regions["sg-1"].db.ledger.size()
    with pytest.raises(PolicyDenied):
        domestic.update("p-1", {"phone": VN, "name": "Lan"})
    assert domestic.get("p-1").data == {"phone": VN}
    assert domestic.runtime.regions["sg-1"].db.ledger.size() == size


def test_an_empty_batch_writes_nothing(vault: Vault) -> None:
    assert vault.put_many([]) == []
    assert _sizes(vault) == {"vn-hcm": 0, "sg-1": 0}
