"""The ledger tamper matrix (issue #11): every edit of a region's stores is found by
``ledger audit``, and ``ledger checkpoint`` refuses to sign over it, on SQLite and PostgreSQL.

Each deployment is built through the vault: ``SIGNED`` records placed, one subject erased,
a checkpoint signed over all of it, then ``TAIL`` more records left in the unsigned tail.
Each case then edits the stores with plain SQL, as an operator with database access could.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from onshore.core.errors import LedgerAuditFailed
from onshore.core.ledger import leaf_hash
from onshore.ports import RegionDatabase
from onshore.services.ledger import Ledger
from onshore.services.vault import RecordInput, Vault
from onshore.settings import Settings, default_config_dict
from tests.support.soak import report

SIGNED, TAIL = 24, 8
REGION = "vn-hcm"
VN_PHONE = "+84912345678"


@dataclass
class Deployment:
    """A vault whose vn-hcm region holds a signed part and an unsigned tail."""

    vault: Vault
    log: Ledger
    db: RegionDatabase
    backend: str
    signed_size: int
    tail_ids: list[str]
    erased: Any  # the sealed row of the erased record, captured before the erasure

    def sql(self, statement: str, params: tuple[Any, ...] = ()) -> None:
        """Run one statement (``?`` placeholders) in its own transaction."""
        if self.backend == "postgres":
            statement = statement.replace("?", "%s")
        with self.db.transaction():
            self.db.execute(statement, params)  # type: ignore[attr-defined]

    def one(self, statement: str, params: tuple[Any, ...] = ()) -> Any:
        """The first row of a query."""
        if self.backend == "postgres":
            statement = statement.replace("?", "%s")
        with self.db.transaction():
            return self.db.execute(statement, params).fetchone()  # type: ignore[attr-defined]

    def leaf(self, index: int) -> bytes:
        return self.log.store.leaves(index, index + 1)[0][1]


def _records(start: int, count: int) -> list[RecordInput]:
    return [
        RecordInput(
            f"subj-{i}", "profile", {"n": i}, {"phone_number": VN_PHONE}, None, f"rec-{i:03d}"
        )
        for i in range(start, start + count)
    ]


def build(settings: Settings, backend: str) -> Deployment:
    vault = Vault.open(settings, create_keys=True)
    vault.runtime.checkpoint_on_close = False  # keep the tail unsigned
    vault.put_many(_records(0, SIGNED))
    region = vault.runtime.region(REGION)
    erased = region.db.records.get("rec-003")
    assert vault.erase("subj-3").count == 1
    log = vault.ledger(REGION)
    log.checkpoint(vault.runtime.clock.now(), full=True)
    signed = log.store.size()
    vault.put_many(_records(SIGNED, TAIL))
    assert log.audit().ok
    tail = [f"rec-{i:03d}" for i in range(SIGNED, SIGNED + TAIL)]
    return Deployment(vault, log, region.db, backend, signed, tail, erased)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def deployment(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Deployment]:
    cfg = default_config_dict()
    cfg["base_dir"] = str(tmp_path)
    if request.param == "sqlite":
        urls = [f"sqlite:///{tmp_path}/vn-hcm.db", f"sqlite:///{tmp_path}/sg-1.db"]
    else:
        factory: Callable[[], str] = request.getfixturevalue("pg_url_factory")
        urls = [factory(), factory()]
    cfg["regions"]["vn-hcm"]["store"], cfg["regions"]["sg-1"]["store"] = urls
    d = build(Settings.model_validate(cfg), request.param)
    yield d
    d.vault.close()


def _flip(data: bytes, position: int) -> bytes:
    raw = bytearray(data)
    raw[position] ^= 0x01
    return bytes(raw)


# -- the cases: each edits the stores and names the finding kinds it must produce -------


def flip_signed_leaf_byte(d: Deployment) -> set[str]:
    d.sql("UPDATE ledger_leaves SET entry = ? WHERE idx = ?", (_flip(d.leaf(5), 60), 5))
    return {"leaf.hash_mismatch"}


def flip_tail_leaf_byte(d: Deployment) -> set[str]:
    i = d.signed_size + 2
    d.sql("UPDATE ledger_leaves SET entry = ? WHERE idx = ?", (_flip(d.leaf(i), 60), i))
    return {"leaf.hash_mismatch"}


def flip_stored_hash(d: Deployment) -> set[str]:
    stored = d.log.store.leaves(7, 8)[0][2]
    d.sql("UPDATE ledger_leaves SET leaf_hash = ? WHERE idx = 7", (_flip(stored, 0),))
    return {"leaf.hash_mismatch"}


def flip_tail_stored_hash(d: Deployment) -> set[str]:
    i = d.signed_size + 1
    stored = d.log.store.leaves(i, i + 1)[0][2]
    d.sql("UPDATE ledger_leaves SET leaf_hash = ? WHERE idx = ?", (_flip(stored, 31), i))
    return {"leaf.hash_mismatch"}


def flip_tile_byte(d: Deployment) -> set[str]:
    tile = d.log.store.tiles([(0, 0)])[(0, 0)]
    d.sql("UPDATE ledger_tiles SET hashes = ? WHERE level = 0 AND idx = 0", (_flip(tile, 40),))
    return {"tile.mismatch"}


def flip_checkpoint_byte(d: Deployment) -> set[str]:
    note = d.one("SELECT note FROM ledger_checkpoints")[0]
    d.sql("UPDATE ledger_checkpoints SET note = ?", (_flip(bytes(note), 20),))
    return {"checkpoint.signature"}


def flip_checkpoint_root(d: Deployment) -> set[str]:
    root = d.one("SELECT root FROM ledger_checkpoints")[0]
    d.sql("UPDATE ledger_checkpoints SET root = ?", (_flip(bytes(root), 3),))
    return {"checkpoint.signature"}


def flip_payload_byte(d: Deployment) -> set[str]:
    commitment, body = d.one("SELECT commitment, body FROM ledger_payloads")
    d.sql(
        "UPDATE ledger_payloads SET body = ? WHERE commitment = ?",
        (_flip(bytes(body), 2), commitment),
    )
    return {"payload.mismatch"}


def delete_record_row(d: Deployment) -> set[str]:
    d.sql("DELETE FROM records WHERE record_id = ?", ("rec-010",))
    return {"placement.no_record"}


def delete_tail_record_row(d: Deployment) -> set[str]:
    d.sql("DELETE FROM records WHERE record_id = ?", (d.tail_ids[-1],))
    return {"placement.no_record"}


def delete_signed_leaf(d: Deployment) -> set[str]:
    d.sql("DELETE FROM ledger_leaves WHERE idx = 4")
    return {"leaf.missing"}


def delete_tail_leaf(d: Deployment) -> set[str]:
    d.sql("DELETE FROM ledger_leaves WHERE idx = ?", (d.signed_size + 3,))
    return {"leaf.missing"}


def delete_unsigned_tail(d: Deployment) -> set[str]:
    d.sql("DELETE FROM ledger_leaves WHERE idx >= ?", (d.signed_size,))
    return {"record.no_placement"}


def delete_unsigned_tail_and_renumber_nothing_else(d: Deployment) -> set[str]:
    """The last leaves only, rows kept: the rows name what is missing."""
    d.sql("DELETE FROM ledger_leaves WHERE idx >= ?", (d.signed_size + TAIL - 2,))
    return {"record.no_placement"}


def delete_signed_tail(d: Deployment) -> set[str]:
    """Truncate into the signed part, rows and leaves alike: the checkpoint names it."""
    d.sql("DELETE FROM ledger_leaves WHERE idx >= ?", (d.signed_size - 2,))
    for rid in d.tail_ids:
        d.sql("DELETE FROM records WHERE record_id = ?", (rid,))
    return {"checkpoint.beyond_log"}


def reorder_signed_leaves(d: Deployment) -> set[str]:
    a, b = d.log.store.leaves(1, 2)[0], d.log.store.leaves(6, 7)[0]
    d.sql("UPDATE ledger_leaves SET entry = ?, leaf_hash = ? WHERE idx = 1", (b[1], b[2]))
    d.sql("UPDATE ledger_leaves SET entry = ?, leaf_hash = ? WHERE idx = 6", (a[1], a[2]))
    return {"tile.mismatch", "checkpoint.root_mismatch"}


def reorder_tail_leaves(d: Deployment) -> set[str]:
    i, j = d.signed_size + 1, d.signed_size + 5
    a, b = d.log.store.leaves(i, i + 1)[0], d.log.store.leaves(j, j + 1)[0]
    d.sql("UPDATE ledger_leaves SET entry = ?, leaf_hash = ? WHERE idx = ?", (b[1], b[2], i))
    d.sql("UPDATE ledger_leaves SET entry = ?, leaf_hash = ? WHERE idx = ?", (a[1], a[2], j))
    return {"index.mismatch"}


def _edit_and_rehash(d: Deployment, index: int) -> None:
    edited = _flip(d.leaf(index), 48 + 7)  # a byte of the record ref
    d.sql(
        "UPDATE ledger_leaves SET entry = ?, leaf_hash = ? WHERE idx = ?",
        (edited, leaf_hash(edited), index),
    )


def edit_signed_leaf_and_rehash(d: Deployment) -> set[str]:
    _edit_and_rehash(d, 9)
    return {"checkpoint.root_mismatch"}


def edit_tail_leaf_and_rehash(d: Deployment) -> set[str]:
    _edit_and_rehash(d, d.signed_size + 4)
    return {"record.no_placement", "placement.no_record"}


def replay_placement_leaf(d: Deployment) -> set[str]:
    """A copy of a live record's placement leaf appended (what a retried batch produced)."""
    entry = d.leaf(d.signed_size)
    d.sql(
        "INSERT INTO ledger_leaves (idx, entry, leaf_hash) VALUES (?, ?, ?)",
        (d.log.store.size(), entry, leaf_hash(entry)),
    )
    return {"placement.duplicate"}


def restore_erased_row(d: Deployment) -> set[str]:
    with d.db.transaction():
        d.db.records.put(d.erased)
    return {"record.after_erasure"}


def insert_foreign_row(d: Deployment) -> set[str]:
    """A row copied under an id the ledger never placed."""
    from dataclasses import replace

    with d.db.transaction():
        d.db.records.put(replace(d.erased, record_id="planted"))
    return {"record.no_placement"}


CASES: dict[str, Callable[[Deployment], set[str]]] = {
    f.__name__: f
    for f in (
        flip_signed_leaf_byte, flip_tail_leaf_byte, flip_stored_hash, flip_tail_stored_hash,
        flip_tile_byte, flip_checkpoint_byte, flip_checkpoint_root, flip_payload_byte,
        delete_record_row, delete_tail_record_row, delete_signed_leaf, delete_tail_leaf,
        delete_unsigned_tail, delete_unsigned_tail_and_renumber_nothing_else, delete_signed_tail,
        reorder_signed_leaves, reorder_tail_leaves, edit_signed_leaf_and_rehash,
        edit_tail_leaf_and_rehash, replay_placement_leaf, restore_erased_row, insert_foreign_row,
    )
}  # fmt: skip


@pytest.mark.parametrize("case", sorted(CASES))
def test_tampering_is_found_by_audit_and_blocks_checkpoint(
    deployment: Deployment, case: str
) -> None:
    expected = CASES[case](deployment)
    found = deployment.log.audit()
    kinds = set(found.counts())
    report(
        f"tamper-ledger {deployment.backend} {case}",
        detected=int(not found.ok),
        findings=len(found.findings),
        kinds=",".join(sorted(kinds)),
    )
    assert not found.ok
    assert kinds & expected, (expected, [f.to_dict() for f in found.findings])
    before = len(deployment.log.store.checkpoints())
    with pytest.raises(LedgerAuditFailed) as refused:
        deployment.log.checkpoint(deployment.vault.runtime.clock.now(), full=True)
    assert refused.value.details["region"] == REGION
    assert len(deployment.log.store.checkpoints()) == before


def test_an_untouched_deployment_audits_clean_and_signs(deployment: Deployment) -> None:
    found = deployment.log.audit()
    assert found.ok, [f.to_dict() for f in found.findings]
    assert found.records == SIGNED - 1 + TAIL
    deployment.log.checkpoint(deployment.vault.runtime.clock.now(), full=True)
    assert deployment.log.store.latest_checkpoint()[0] == deployment.log.store.size()  # type: ignore[index]
    report(f"tamper-ledger {deployment.backend} untouched", false_alarms=0)
