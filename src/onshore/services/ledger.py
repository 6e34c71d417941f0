"""A region's audit log: append events, integrate in batches, sign checkpoints, prove, verify.

``Ledger(region, db, keys)`` sits over the region's ``LedgerStore`` (``db.ledger``) and
its key store (``ledger-hmac``: the 32-byte HMAC key of the leaves' keyed hashes;
``ledger-signing``: the 32-byte Ed25519 seed of checkpoints).

- ``append(events)`` encodes events into fixed-width leaves (no personal data), stores the
  leaves, payloads and the record index with one ``executemany`` each, inside the caller's
  open transaction. The tree is not touched on this path.
- ``integrate()`` extends the C2SP tiles over the leaves appended since the last time.
- ``checkpoint(at)`` integrates, proves the new tree consistent with the last signed
  checkpoint, and only then signs and stores a new one.
- ``prove(record_id)`` returns a :class:`ProofBundle` that verifies offline.
- ``verify()`` recomputes everything from the stored leaves and names the first bad index.

The store, the keys and the tree (``integrate``, ``root``, the check of a stored
checkpoint) are the base class, ``services.ledger_tree.LedgerTree``: what the checks in
``services.ledger_audit`` read, so they never import this module.

Example:
    >>> from datetime import datetime, timezone
    >>> from onshore.adapters import open_database
    >>> from onshore.adapters.keystore import MemoryKeyStore
    >>> from onshore.core.ledger import LedgerEvent, EventType
    >>> keys = MemoryKeyStore()
    >>> _ = keys.create("ledger-hmac"), keys.create("ledger-signing")
    >>> db = open_database("memory://")
    >>> log = Ledger("vn-hcm", db, keys)
    >>> at = datetime(2025, 1, 1, tzinfo=timezone.utc)
    >>> with db.transaction():
    ...     log.append([LedgerEvent(EventType.RECORD_PLACED, at, "vn-hcm", record_id="r1")])
    [0]
    >>> note = log.checkpoint(at)
    >>> log.prove("r1", at=at).index
    0
    >>> log.verify().ok
    True
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from onshore.core.errors import AuditError, KeyMissing, LeafError, LeafNotFound
from onshore.core.ledger import tiles as T
from onshore.core.ledger.bundle import ProofBundle, verify_bundle
from onshore.core.ledger.checkpoint import Checkpoint
from onshore.core.ledger.events import EventType, LedgerEvent
from onshore.core.ledger.leaf import EncodedEvent, Leaf, LeafEncoder, decode_leaf
from onshore.core.ledger.note import sign_note
from onshore.ports import KeyStore, RecordStore, RegionDatabase
from onshore.services.failpoints import hit
from onshore.services.ledger_audit import audit_ledger, audit_tail, scan_structure
from onshore.services.ledger_findings import AuditReport
from onshore.services.ledger_tree import HMAC_KEY, SIGNING_KEY, LedgerTree

__all__ = ["HMAC_KEY", "SIGNING_KEY", "Ledger", "LedgerEntry", "VerifyReport"]

#: Record events written under the ledger-hmac version of the record's first leaf here.
_FOLLOWS_PLACEMENT = frozenset({EventType.RECORD_ERASED, EventType.RECORD_TRANSFERRED})

_sha256 = hashlib.sha256


@dataclass(frozen=True, slots=True)
class LedgerEntry:
    """A leaf found for a record: its index and decoded content."""

    index: int
    leaf: Leaf


@dataclass
class VerifyReport:
    """What ``Ledger.verify()`` found. ``ok`` is False when any problem was found."""

    region: str
    size: int = 0
    integrated_size: int = 0
    checkpoints: int = 0
    first_bad_index: int | None = None
    problems: list[str] = field(default_factory=list)
    payloads_missing: int = 0

    @property
    def ok(self) -> bool:
        """True when the log checked out."""
        return not self.problems

    def bad(self, message: str, index: int | None = None) -> None:
        """Record a problem (at a leaf index when there is one)."""
        self.problems.append(message)
        if index is not None and (self.first_bad_index is None or index < self.first_bad_index):
            self.first_bad_index = index

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready report."""
        return {
            "region": self.region,
            "ok": self.ok,
            "size": self.size,
            "integrated_size": self.integrated_size,
            "checkpoints": self.checkpoints,
            "first_bad_index": self.first_bad_index,
            "problems": self.problems,
            "payloads_missing": self.payloads_missing,
        }


class Ledger(LedgerTree):
    """The ledger of one region (see the module docstring); its store, keys and tree are
    a :class:`~onshore.services.ledger_tree.LedgerTree`, which the audit reads."""

    def __init__(
        self, region: str, db: RegionDatabase, keys: KeyStore, *, origin: str | None = None
    ) -> None:
        super().__init__(region, db, keys, origin=origin)
        self._encoder: LeafEncoder | None = None
        self._encoder_id: str | None = None

    # -- write path -------------------------------------------------------------------

    def _current_encoder(self) -> LeafEncoder:
        key = self.keys.current(HMAC_KEY)
        if self._encoder is None or self._encoder_id != key.key_id:
            self._encoder = LeafEncoder(key.material, key.version)
            self._encoder_id = key.key_id
        return self._encoder

    def append(self, events: Sequence[LedgerEvent]) -> list[int]:
        """Append events as leaves; return their indexes (joins the open transaction).

        Every event is validated and encoded before anything is written: a bad event
        (``LeafError``, ``PayloadRejected``) leaves the log untouched.
        """
        return self.append_encoded(self.encode(events))

    def encode(self, events: Sequence[LedgerEvent]) -> list[EncodedEvent]:
        """Validate and encode events into leaves without storing them (a cross-region
        batch stages its leaves this way and appends them when it commits)."""
        if not events:
            return []
        enc = self._current_encoder()
        encoded = [self._encoder_for(e, enc).encode(e) for e in events]
        for e in events:
            if e.region != self.region:
                raise LeafError(
                    f"event for region {e.region!r} appended to the ledger of {self.region!r}"
                )
        return encoded

    def _encoder_for(self, event: LedgerEvent, current: LeafEncoder) -> LeafEncoder:
        """The encoder of ``event``: a record keeps the ledger-hmac version it was first
        recorded under in this region, so the erasure or transfer of a record placed before
        a rotation carries the same record ref as its placement and the audit pairs the two
        (``services.ledger_reconcile``); everything else uses the current version."""
        if event.type not in _FOLLOWS_PLACEMENT or event.record_id is None:
            return current
        try:
            versions = self.keys.versions(HMAC_KEY)
        except KeyMissing:
            return current
        first: tuple[int, LeafEncoder] | None = None
        for version in versions:
            if version.version == current.key_version:
                continue
            enc = LeafEncoder(version.material, version.version)
            hits = self.store.find_ref(enc.ref("record", event.record_id))
            if hits and (first is None or min(hits) < first[0]):
                first = (min(hits), enc)
        if first is None:
            return current
        mine = self.store.find_ref(current.ref("record", event.record_id))
        return current if mine and min(mine) < first[0] else first[1]

    def append_encoded(self, encoded: Sequence[EncodedEvent]) -> list[int]:
        """Store leaves made by ``encode``; return their indexes (joins the open transaction)."""
        if not encoded:
            return []
        entries = [x.entry for x in encoded]
        sha = _sha256
        hashes = [sha(b"\x00" + e).digest() for e in entries]
        payloads = {x.payload_commitment: x.payload_body for x in encoded}
        with self.db.transaction():
            first = self.store.append(entries, hashes)
            self.store.put_payloads(list(payloads.items()))
            refs = [
                (x.record_ref, first + i) for i, x in enumerate(encoded) if x.record_ref is not None
            ]
            if refs:
                self.store.index_refs(refs)
            hit("ledger.after_leaf_append")
        return list(range(first, first + len(entries)))

    # -- checkpoints -------------------------------------------------------------------

    def checkpoint(self, at: datetime, *, full: bool = False) -> bytes:
        """Audit the log, then sign a checkpoint over it and store it.

        ``full=True`` (``onshore ledger checkpoint``) runs every check of ``audit()``, the
        store reconciliation included; by default (automatic checkpoints, proofs) it checks
        what the new checkpoint vouches for: the last checkpoint's signature, the leaves
        appended since (hashed from their bytes), their tiles, and that the tree extends the
        last signed one (``services.ledger_audit.audit_tail``). Any finding raises
        ``LedgerAuditFailed`` and nothing is signed. Returns the C2SP signed note; when nothing
        was appended since the last checkpoint, returns that checkpoint unchanged.
        """
        with self.db.transaction():
            self.store.lock_tree()  # signers and integrators of every process, one at a time
            report = audit_ledger(self) if full else audit_tail(self)
            report.raise_if_bad("refusing to sign a checkpoint")
            assert report.root is not None
            size, root = report.size, report.root
            if full:
                self.integrate()
            latest = self.store.latest_checkpoint()
            if latest is not None and latest[0] == size:
                return latest[2]
            hit("ledger.before_checkpoint_sign")
            signing = self.keys.current(SIGNING_KEY)
            body = Checkpoint(self.origin, size, root, at).body()
            note = sign_note(body, self.origin, signing.material)
            if not self.store.add_checkpoint(size, root, note, signing.key_id, at):
                newer = self.store.latest_checkpoint()  # a concurrent signer was first
                assert newer is not None
                return newer[2]
            return note

    def grew(self) -> bool:
        """True when leaves were appended since the last checkpoint (cheap: two reads)."""
        latest = self.store.latest_checkpoint()
        return self.store.size() != (0 if latest is None else latest[0])

    # -- proofs --------------------------------------------------------------------------

    def _record_refs(self, record_id: str) -> list[bytes]:
        try:
            versions = self.keys.versions(HMAC_KEY)
        except KeyMissing:
            return []
        return [LeafEncoder(v.material, v.version).ref("record", record_id) for v in versions]

    def history(self, record_id: str) -> list[LedgerEntry]:
        """Every leaf that names ``record_id`` in this region, oldest first."""
        indexes = sorted(
            {i for ref in self._record_refs(record_id) for i in self.store.find_ref(ref)}
        )
        out = []
        for index in indexes:
            rows = self.store.leaves(index, index + 1)
            if rows:
                out.append(LedgerEntry(index, decode_leaf(rows[0][1])))
        return out

    def prove_index(self, index: int, *, at: datetime | None = None) -> ProofBundle:
        """A bundle proving leaf ``index`` in the latest checkpoint (made if none covers it)."""
        latest = self.store.latest_checkpoint()
        if latest is None or latest[0] <= index:
            self.checkpoint(at or datetime.now(UTC))
            latest = self.store.latest_checkpoint()
        assert latest is not None
        size, _root, note, key_id, _ = latest
        if not 0 <= index < size:
            raise LeafNotFound(f"leaf {index} is not in the log of {self.region!r}")
        rows = self.store.leaves(index, index + 1)
        if not rows:
            raise AuditError(f"leaf {index} is missing from the store")
        proof = T.inclusion_from_tiles(
            index, size, self.store.tiles(T.inclusion_tile_keys(index, size))
        )
        bundle = ProofBundle(self.region, index, rows[0][1], proof, note, self.verifier_key(key_id))
        verify_bundle(bundle, bundle.public_key)
        return bundle

    def prove(
        self,
        record_id: str,
        *,
        event: EventType | None = EventType.RECORD_PLACED,
        at: datetime | None = None,
    ) -> ProofBundle:
        """A bundle for the record's placement leaf (or its first leaf of type ``event``;
        ``event=None``: its latest leaf). Raises ``LeafNotFound``."""
        entries = self.history(record_id)
        if event is not None:
            entries = [e for e in entries if e.leaf.type == event]
        if not entries:
            raise LeafNotFound(
                f"no ledger leaf in {self.region!r} records that record",
                details={"region": self.region},
            )
        chosen = entries[0] if event is not None else entries[-1]
        return self.prove_index(chosen.index, at=at)

    # -- crypto-shredding ----------------------------------------------------------------

    def shred_payload(self, commitment: bytes) -> bool:
        """Delete a stored payload; leaves, roots and proofs are unaffected."""
        with self.db.transaction():
            return self.store.delete_payload(commitment)

    # -- verification --------------------------------------------------------------------

    def verify(self) -> VerifyReport:
        """Recompute the tree from the stored leaves and check every checkpoint.

        Never raises for a damaged log: every problem goes in the report, and
        ``first_bad_index`` names the lowest leaf index found wrong.
        """
        found = scan_structure(self)
        report = VerifyReport(
            self.region,
            size=found.size,
            integrated_size=found.integrated_size,
            checkpoints=found.checkpoints,
            payloads_missing=found.payloads_missing,
        )
        for finding in found.findings:
            report.bad(finding.message, finding.index)
        return report

    def audit(self, records: RecordStore | None = None) -> AuditReport:
        """Every check of ``verify`` plus the reconciliation of the region's record store
        (``records``, default the region database's) with the ledger; never raises for a
        damaged log. See ``services.ledger_audit``."""
        return audit_ledger(self, records)
