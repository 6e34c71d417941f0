"""Idempotent writes: a record id put again returns its original receipt, or conflicts.

A caller that chose its record ids can retry a batch it got no receipt for (a timeout, a
crash) without creating anything twice: for every id already stored in the region the record
is placed in, the stored record is opened and compared with the new one. The same content
(subject, kind and data) gives back the original receipt (its latest placement or update
leaf) and writes nothing; different content raises ``RecordConflict`` (change a record with
``Vault.update``, its own ledger event). Within one batch, an id repeated with the same
content is stored once; with different content it is a conflict too.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from onshore.core.errors import RecordConflict
from onshore.core.ledger import EventType
from onshore.services.intake import Prepared
from onshore.services.record import Receipt, Record
from onshore.services.region_set import RegionSet

if TYPE_CHECKING:
    from onshore.services.runtime import Region

#: Leaves that give a record its current receipt (the latest one wins).
RECEIPT_EVENTS = (EventType.RECORD_PLACED, EventType.RECORD_UPDATED, EventType.RECORD_TRANSFERRED)


def _content(p: Prepared) -> tuple[Any, ...]:
    body = json.loads(p.plaintext)
    return body["s"], body["k"], body["d"]


def _conflict(record_id: str, region: str) -> RecordConflict:
    return RecordConflict(
        "a record with this id already holds different content (use update to change it)",
        details={"record_id": record_id, "region": region},
    )


def unique(prepared: Iterable[Prepared]) -> dict[str, Prepared]:
    """The batch by record id: a repeated id with the same content kept once, else conflict."""
    out: dict[str, Prepared] = {}
    for p in prepared:
        seen = out.get(p.record_id)
        if seen is None:
            out[p.record_id] = p
        elif seen.plaintext != p.plaintext and _content(seen) != _content(p):
            raise _conflict(p.record_id, p.placement.region)
    return out


def same_content(record: Record, p: Prepared) -> bool:
    """True when ``p`` would store what ``record`` already holds."""
    return (record.subject_id, record.kind, record.data) == _content(p)


def receipt_of(region_set: RegionSet, region: Region, record_id: str) -> Receipt:
    """The current receipt of a stored record: its latest placement, update or transfer leaf."""
    entries = region_set.ledger(region.name).history(record_id)
    chosen = [e for e in entries if e.leaf.type in RECEIPT_EVENTS] or entries
    return Receipt(record_id, region.name, chosen[-1].index if chosen else -1)


def split(
    region_set: RegionSet, region: Region, batch: Sequence[Prepared]
) -> tuple[list[Prepared], dict[str, Receipt]]:
    """``batch`` split into records still to write and receipts of those already stored.

    Only caller-chosen ids are looked up (one query for the batch). Raises
    ``RecordConflict`` when a stored record differs; call inside the region's transaction.
    """
    supplied = [p.record_id for p in batch if p.supplied_id]
    stored = region.db.records.existing(supplied) if supplied else set()
    if not stored:
        return list(batch), {}
    fresh: list[Prepared] = []
    done: dict[str, Receipt] = {}
    for p in batch:
        if p.record_id not in stored:
            fresh.append(p)
            continue
        sealed = region.db.records.get(p.record_id)
        if sealed is None:  # deleted meanwhile: write it again
            fresh.append(p)
            continue
        if not same_content(region_set.sealer.open(region, sealed), p):
            raise _conflict(p.record_id, region.name)
        done[p.record_id] = receipt_of(region_set, region, p.record_id)
    return fresh, done
