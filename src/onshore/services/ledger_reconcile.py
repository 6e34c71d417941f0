"""Reconcile a region's record store with its ledger (issue #11, finding 3).

Every record row must have a placement leaf (``record_placed``, or a ``record_transferred``
leaf that brought it in) that no later leaf undid, and every such leaf must have its row
unless a later ``record_erased`` or outgoing ``record_transferred`` leaf removed it. A second
placement leaf while the first still holds is a duplicate (a retried write that was stored
twice).

Leaves hold keyed hashes of record ids, so the store's ids are hashed under every version of
the region's ``ledger-hmac`` key and matched against the leaves. A transfer's direction is
read from its payload (``from_region``/``to_region``); when the payload was shredded it is
inferred from the record's state (a transfer while placed leaves, otherwise it arrives).

Rows and leaves written while the audit runs are not findings: before reporting a row
without a leaf or a leaf without a row, the record's leaves past the audited size are looked
up in the ledger's record index.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from onshore.core.errors import KeyMissing
from onshore.core.ledger.events import EventType
from onshore.core.ledger.leaf import Leaf, LeafEncoder
from onshore.services.ledger_findings import AuditReport
from onshore.services.ledger_tree import HMAC_KEY, LedgerTree

if TYPE_CHECKING:
    from onshore.ports import RecordStore

_RECORD_EVENTS = frozenset(
    {EventType.RECORD_PLACED, EventType.RECORD_TRANSFERRED, EventType.RECORD_ERASED}
)


@dataclass(frozen=True, slots=True)
class RecordLeaf:
    """A leaf that changes where a record lives: its index, type, record ref and commitment."""

    index: int
    type: EventType
    ref: bytes
    commitment: bytes

    @staticmethod
    def of(index: int, leaf: Leaf) -> RecordLeaf | None:
        """The record leaf of a decoded leaf, or None when it does not move a record."""
        if leaf.type not in _RECORD_EVENTS or leaf.record_ref is None:
            return None
        return RecordLeaf(index, leaf.type, leaf.record_ref, leaf.payload_commitment)


@dataclass(slots=True)
class _State:
    """A record's state as its leaves tell it, oldest leaf first."""

    live: bool = False
    placed_at: int | None = None
    last: int = -1
    claimed: bool = field(default=False)


def _direction(log: LedgerTree, leaf: RecordLeaf, cache: dict[bytes, str | None]) -> str | None:
    """``"in"`` or ``"out"`` from a transfer leaf's payload; None when the payload is gone."""
    if leaf.commitment not in cache:
        body = log.store.payload(leaf.commitment)
        direction = None
        if body is not None:
            try:
                doc = json.loads(body)
            except ValueError:
                doc = {}
            if isinstance(doc, dict):
                if doc.get("to_region") == log.region:
                    direction = "in"
                elif doc.get("from_region") == log.region:
                    direction = "out"
        cache[leaf.commitment] = direction
    return cache[leaf.commitment]


def _replay(log: LedgerTree, leaves: list[RecordLeaf], report: AuditReport) -> dict[bytes, _State]:
    states: dict[bytes, _State] = {}
    directions: dict[bytes, str | None] = {}
    for leaf in leaves:
        state = states.setdefault(leaf.ref, _State())
        state.last = leaf.index
        if leaf.type == EventType.RECORD_PLACED:
            if state.live and state.placed_at is not None:
                report.add(
                    "placement.duplicate",
                    f"leaf {leaf.index} places a record already placed at leaf {state.placed_at}",
                    index=leaf.index,
                )
            state.live, state.placed_at = True, leaf.index
        elif leaf.type == EventType.RECORD_ERASED:
            state.live = False
        else:
            direction = _direction(log, leaf, directions)
            if direction is None:
                direction = "out" if state.live else "in"
            state.live = direction == "in"
            if state.live:
                state.placed_at = leaf.index
    return states


def _encoders(log: LedgerTree) -> list[LeafEncoder]:
    try:
        versions = log.keys.versions(HMAC_KEY)
    except KeyMissing:
        return []
    return [LeafEncoder(v.material, v.version) for v in versions]


def _written_since(log: LedgerTree, refs: list[bytes], size: int) -> bool:
    """True when a stored leaf at or past ``size`` names one of ``refs`` (the record index
    points at it, and the leaf itself holds the ref: a stale index entry does not count)."""
    for ref in refs:
        for i in log.store.find_ref(ref):
            if i < size:
                continue
            rows = log.store.leaves(i, i + 1)
            if rows and rows[0][1][48:80] == ref:
                return True
    return False


def reconcile(
    log: LedgerTree, records: RecordStore, leaves: list[RecordLeaf], report: AuditReport
) -> None:
    """Add the store-versus-ledger findings of ``log`` to ``report`` (module docstring)."""
    size = report.size
    states = _replay(log, leaves, report)
    encoders = _encoders(log)
    for record_id in records.iter_record_ids():
        report.records += 1
        refs = [enc.ref("record", record_id) for enc in encoders]
        found = [states[r] for r in refs if r in states]
        for state in found:
            state.claimed = True
        if any(s.live for s in found):
            continue
        if _written_since(log, refs, size):
            continue  # written while this audit ran
        if found:
            last = max(s.last for s in found)
            report.add(
                "record.after_erasure",
                f"record row is stored although leaf {last} erased it or moved it away",
                index=last,
                record_id=record_id,
            )
        else:
            report.add(
                "record.no_placement",
                "record row has no placement leaf in the ledger",
                record_id=record_id,
            )
    for ref, state in states.items():
        if state.live and not state.claimed and not _written_since(log, [ref], size):
            report.add(
                "placement.no_record",
                f"leaf {state.placed_at} places a record that is not stored, "
                "and no later leaf erased it or moved it away",
                index=state.placed_at,
            )
