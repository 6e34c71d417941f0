"""Record integrity: every stored field of a row is checked before the vault returns it.

A row written since AAD version 2 (``onshore.core.envelope``) authenticates every column
beside its ciphertext: record id, region, subject reference, kind, created-at, categories
and blind-index terms; the key version is authenticated by the wrapped key's AAD. A row
written before (AAD version 1, bound to region and record id only) is still read; its
subject reference, kind and created-at are then checked against the sealed body (which
holds the subject id, kind and time), so of an old row only its categories and terms are
unbound (re-sealing it, e.g. by ``transfer``, binds them).

Any failure raises :class:`~onshore.core.errors.StoreIntegrityError` (``store.integrity``)
with ``details={"region": ..., "record_id": ...}``: nothing from that row is returned.

Erasure and subject access cannot be misdirected by an edited ``subject_ref``:

- a row whose subject reference was edited to point at subject B fails authentication,
  so ``records_of(B)`` and ``erase(B)`` refuse instead of returning or deleting it;
- a row whose subject reference was edited away from A is found by cross-checking the
  ledger: :func:`expected_records` scans the region's ledger for the lifecycle leaves
  (placed, transferred, erased) carrying A's keyed subject reference, and every record
  the ledger says is live for A in that region must be among the rows the store returned
  for A. A missing one is located by its keyed record reference (one pass over the
  store's ids, only on that failure path) and reported by record id.
"""

from __future__ import annotations

import hmac
import json
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from onshore.core import blind_index
from onshore.core.envelope import epoch_micros, unseal_versioned
from onshore.core.errors import DecryptionFailed, KeyMissing, StoreIntegrityError
from onshore.core.ledger import EventType
from onshore.core.ledger.leaf import LEAF_SIZE, LeafEncoder
from onshore.ports import KeyStore, SealedRecord
from onshore.services.runtime import Region

_LIFECYCLE = {
    int(EventType.RECORD_PLACED),
    int(EventType.RECORD_TRANSFERRED),
    int(EventType.RECORD_ERASED),
}
_PLACED = int(EventType.RECORD_PLACED)
_TRANSFERRED = int(EventType.RECORD_TRANSFERRED)
_BATCH = 1 << 16
_PAGE = 1000


def integrity_error(
    region: str, record_id: str | None, why: str, **extra: Any
) -> StoreIntegrityError:
    """A ``StoreIntegrityError`` naming the region and record (message holds no data)."""
    details: dict[str, Any] = {"region": region, "record_id": record_id, "reason": why}
    details.update(extra)
    where = f"record {record_id!r}" if record_id is not None else "a record"
    return StoreIntegrityError(
        f"{where} in region {region!r} failed its integrity check ({why})", details=details
    )


def _kek_for(region: Region, sealed: SealedRecord) -> Any:
    try:
        return region.keys.get(sealed.key_id)
    except KeyMissing as exc:
        name, _, version = sealed.key_id.rpartition(":")
        versions = region.keys.versions("kek") if name == "kek" else []
        newest = versions[-1].version if versions else 0
        if name != "kek" or not version.isdigit() or (newest and int(version) > newest):
            # keys are never deleted: a row naming a version that was never made was edited
            raise integrity_error(region.name, sealed.record_id, "key_id names no key") from exc
        exc.details.setdefault("region", region.name)
        exc.details.setdefault("record_id", sealed.record_id)
        raise


def _subject_refs(keys: KeyStore, subject: str) -> set[bytes]:
    return {blind_index.subject_ref(v.material, subject) for v in keys.versions("index")}


def open_row(region: Region, sealed: SealedRecord) -> dict[str, Any]:
    """The decrypted body of ``sealed`` (``s``, ``k``, ``d``, ``t``, ``c``) once every stored
    field has been checked; ``StoreIntegrityError`` naming region and record otherwise."""
    rid = sealed.record_id
    if sealed.region != region.name:
        raise integrity_error(region.name, rid, "row names another region", field="region")
    kek = _kek_for(region, sealed)
    try:
        version, plaintext = unseal_versioned(sealed, kek)
        body = json.loads(plaintext)
    except (DecryptionFailed, ValueError) as exc:
        raise integrity_error(region.name, rid, "authentication failed") from exc
    if not isinstance(body, dict) or not {"s", "k", "d", "t", "c"} <= body.keys():
        raise integrity_error(region.name, rid, "sealed body is malformed")
    if version == 1:
        _check_legacy(region, sealed, body)
    return body


def _check_legacy(region: Region, sealed: SealedRecord, body: dict[str, Any]) -> None:
    """A version 1 row: its subject reference, kind and time must match the sealed body."""
    rid = sealed.record_id
    index_key = region.keys.current("index").material
    subject = body["s"]
    if not isinstance(subject, str):
        raise integrity_error(region.name, rid, "sealed body is malformed")
    ref = blind_index.subject_ref(index_key, subject)
    if not hmac.compare_digest(ref, sealed.subject_ref) and sealed.subject_ref not in (
        _subject_refs(region.keys, subject)
    ):
        raise integrity_error(region.name, rid, "subject reference edited", field="subject_ref")
    if body["k"] != sealed.kind:
        raise integrity_error(region.name, rid, "kind edited", field="kind")
    try:
        stamp = datetime.fromisoformat(str(body["t"]))
    except ValueError as exc:
        raise integrity_error(region.name, rid, "sealed body is malformed") from exc
    if epoch_micros(stamp) != epoch_micros(sealed.created_at):
        raise integrity_error(region.name, rid, "created_at edited", field="created_at")


def expected_records(region: Region, subject: str) -> dict[bytes, int]:
    """Record refs the ledger says are live for ``subject`` in ``region``: ref -> the leaf
    index of its latest lifecycle event. Placing makes a record live, erasing ends it, a
    transfer leaf flips it (in, then out, in again...); the same id placed again for
    another subject ends it for this one."""
    refs: set[bytes] = set()
    try:
        versions = region.keys.versions("ledger-hmac")
    except KeyMissing:
        return {}
    for v in versions:
        refs.add(LeafEncoder(v.material, v.version).ref("subject", subject))
    if not refs:
        return {}
    live: dict[bytes, tuple[bool, int]] = {}  # record ref -> (live for the subject, index)
    store = region.db.ledger
    size = store.size()
    start = 0
    while start < size:
        rows = store.leaves(start, min(size, start + _BATCH))
        if not rows:
            break
        for index, entry, _ in rows:
            kind = entry[1]
            if len(entry) != LEAF_SIZE or kind not in _LIFECYCLE:
                continue
            ref = bytes(entry[48:80])
            if entry[80:112] in refs:
                was = live.get(ref, (False, 0))[0]
                now = kind == _PLACED or (kind == _TRANSFERRED and not was)
                live[ref] = (now, index)
            elif kind == _PLACED and ref in live:  # the id was placed again for someone else
                live[ref] = (False, index)
        start = rows[-1][0] + 1
    return {ref: i for ref, (alive, i) in live.items() if alive}


def record_refs(region: Region, record_ids: Iterable[str]) -> dict[bytes, str]:
    """Keyed ledger refs (under every ``ledger-hmac`` version) of ``record_ids``."""
    encoders = [LeafEncoder(v.material, v.version) for v in region.keys.versions("ledger-hmac")]
    return {e.ref("record", rid): rid for rid in record_ids for e in encoders}


def check_complete(region: Region, expected: dict[bytes, int], found: Sequence[str]) -> None:
    """Raise ``StoreIntegrityError`` when a record the ledger says is live for the subject
    (``expected``, from :func:`expected_records`, read *before* the store so a concurrent
    write cannot raise a false alarm) is not among ``found`` (edited away or deleted)."""
    if not expected:
        return
    have = record_refs(region, found)
    missing = {ref: i for ref, i in expected.items() if ref not in have}
    if not missing:
        return
    after: str | None = None
    while page := region.db.records.page(after, _PAGE):
        refs = record_refs(region, (s.record_id for s in page))
        for ref, rid in refs.items():
            if ref in missing:
                raise integrity_error(
                    region.name, rid, "row no longer carries its subject", field="subject_ref"
                )
        after = page[-1].record_id
    index = min(missing.values())
    raise integrity_error(region.name, None, "placed record missing", ledger_index=index)
