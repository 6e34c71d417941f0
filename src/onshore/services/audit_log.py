"""A region's audit log: append events, integrate in batches, sign checkpoints, prove, verify.

``AuditLog(region, db, keys)`` sits over the region's ``AuditLogStore`` (``db.ledger``) and
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

Example:
    >>> from datetime import datetime, timezone
    >>> from onshore.adapters import open_database
    >>> from onshore.adapters.keystore import MemoryKeyStore
    >>> from onshore.core.audit import AuditEvent, EventType
    >>> keys = MemoryKeyStore()
    >>> _ = keys.create("ledger-hmac"), keys.create("ledger-signing")
    >>> db = open_database("memory://")
    >>> log = AuditLog("vn-hcm", db, keys)
    >>> at = datetime(2025, 1, 1, tzinfo=timezone.utc)
    >>> with db.transaction():
    ...     log.append([AuditEvent(EventType.RECORD_PLACED, at, "vn-hcm", record_id="r1")])
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

from onshore.core.audit import tiles as T
from onshore.core.audit.bundle import ProofBundle, verify_bundle
from onshore.core.audit.checkpoint import Checkpoint, parse_checkpoint
from onshore.core.audit.events import AuditEvent, EventType
from onshore.core.audit.leaf import EncodedEvent, Leaf, LeafEncoder, decode_leaf
from onshore.core.audit.merkle import leaf_hash, verify_consistency
from onshore.core.audit.note import sign_note, verifier_key, verify_note
from onshore.core.errors import (
    AuditError,
    CheckpointError,
    KeyMissing,
    LeafError,
    LeafNotFound,
    OnshoreError,
    ProofError,
)
from onshore.ports import AuditLogStore, KeyStore, RegionDatabase

HMAC_KEY = "ledger-hmac"
SIGNING_KEY = "ledger-signing"
_BATCH = 1 << 16
_sha256 = hashlib.sha256


@dataclass(frozen=True, slots=True)
class LedgerEntry:
    """A leaf found for a record: its index and decoded content."""

    index: int
    leaf: Leaf


@dataclass
class VerifyReport:
    """What ``AuditLog.verify()`` found. ``ok`` is False when any problem was found."""

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


class AuditLog:
    """The ledger of one region (see the module docstring)."""

    def __init__(
        self, region: str, db: RegionDatabase, keys: KeyStore, *, origin: str | None = None
    ) -> None:
        self.region = region
        self.db = db
        self.keys = keys
        self.store: AuditLogStore = db.ledger
        self.origin = origin or f"onshore/{region}"
        self._encoder: LeafEncoder | None = None
        self._encoder_id: str | None = None

    # -- write path -------------------------------------------------------------------

    def _current_encoder(self) -> LeafEncoder:
        key = self.keys.current(HMAC_KEY)
        if self._encoder is None or self._encoder_id != key.key_id:
            self._encoder = LeafEncoder(key.material, key.version)
            self._encoder_id = key.key_id
        return self._encoder

    def append(self, events: Sequence[AuditEvent]) -> list[int]:
        """Append events as leaves; return their indexes (joins the open transaction).

        Every event is validated and encoded before anything is written: a bad event
        (``LeafError``, ``PayloadRejected``) leaves the log untouched.
        """
        return self.append_encoded(self.encode(events))

    def encode(self, events: Sequence[AuditEvent]) -> list[EncodedEvent]:
        """Validate and encode events into leaves without storing them (a cross-region
        batch stages its leaves this way and appends them when it commits)."""
        if not events:
            return []
        enc = self._current_encoder()
        encoded = [enc.encode(e) for e in events]
        for e in events:
            if e.region != self.region:
                raise LeafError(
                    f"event for region {e.region!r} appended to the ledger of {self.region!r}"
                )
        return encoded

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
        return list(range(first, first + len(entries)))

    # -- tree --------------------------------------------------------------------------

    def integrate(self) -> int:
        """Extend the tiles over every leaf appended since the last integration.

        Returns the integrated size. Raises ``AuditError`` when a leaf is missing.
        """
        with self.db.transaction():
            done = self.store.integrated_size()
            size = self.store.size()
            while done < size:
                stop = min(size, done + _BATCH)
                hashes = self.store.leaf_hashes(done, stop)
                if len(hashes) != stop - done:
                    raise AuditError(
                        f"leaves between {done} and {stop} are missing "
                        "(run `onshore ledger verify`)",
                        details={"start": done, "stop": stop},
                    )
                edge = self.store.tiles(T.edge_tile_keys(done))
                self.store.save_tiles(T.integrate(done, hashes, edge), stop)
                done = stop
            return done

    def root(self, size: int | None = None) -> tuple[int, bytes]:
        """``(size, root)`` of the integrated tree (or of its first ``size`` leaves)."""
        integrated = self.integrate()
        size = integrated if size is None else size
        if not 0 <= size <= integrated:
            raise AuditError(f"the log has no tree of size {size}")
        return size, T.tree_root(size, self.store.tiles(T.root_tile_keys(size)))

    # -- checkpoints -------------------------------------------------------------------

    def verifier_key(self, key_id: str | None = None) -> str:
        """The verifier key (``name+id+base64``) of the signing key (current, or ``key_id``)."""
        key = self.keys.get(key_id) if key_id else self.keys.current(SIGNING_KEY)
        return verifier_key(self.origin, key.material)

    def _signed(self, note: bytes, key_id: str, size: int, root: bytes) -> Checkpoint:
        """Check a stored checkpoint's signature and that its body matches its row."""
        cp = parse_checkpoint(verify_note(note, self.verifier_key(key_id)))
        if cp.origin != self.origin:
            raise CheckpointError(f"checkpoint origin {cp.origin!r} is not {self.origin!r}")
        if cp.size != size or cp.root != root:
            raise CheckpointError("checkpoint row does not match its signed body")
        return cp

    def checkpoint(self, at: datetime) -> bytes:
        """Integrate, prove consistency with the previous checkpoint, then sign a new one.

        Returns the C2SP signed note. When nothing was appended since the last checkpoint,
        returns that checkpoint unchanged. Raises ``ProofError``/``CheckpointError``/
        ``SignatureError`` (and signs nothing) when the stored log does not extend the last
        signed checkpoint.
        """
        with self.db.transaction():
            size = self.integrate()
            latest = self.store.latest_checkpoint()
            keys = T.root_tile_keys(size)
            if latest is not None and 0 < latest[0] < size:
                keys |= T.consistency_tile_keys(latest[0], size)
            tiles = self.store.tiles(keys)
            root = T.tree_root(size, tiles)
            if latest is not None:
                old_size, old_root, old_note, old_key, _ = latest
                self._signed(old_note, old_key, old_size, old_root)
                if old_size > size:
                    raise CheckpointError(
                        f"the log shrank from {old_size} to {size} leaves since the last checkpoint"
                    )
                if old_size == size:
                    if old_root != root:
                        raise ProofError("the tree no longer matches the last signed checkpoint")
                    return old_note
                if old_size > 0:
                    proof = T.consistency_from_tiles(old_size, size, tiles)
                    verify_consistency(old_size, size, old_root, root, proof)
            signing = self.keys.current(SIGNING_KEY)
            body = Checkpoint(self.origin, size, root, at).body()
            note = sign_note(body, self.origin, signing.material)
            self.store.add_checkpoint(size, root, note, signing.key_id, at)
            return note

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
        report = VerifyReport(self.region)
        size = self.store.size()
        report.size = size
        hashes = self._verify_leaves(report, size)
        full = T.integrate(0, hashes, {}) if hashes else {}
        self._verify_tiles(report, full, len(hashes))
        self._verify_checkpoints(report, full, len(hashes))
        return report

    def _verify_leaves(self, report: VerifyReport, size: int) -> list[bytes]:
        hashes: list[bytes] = []
        commitments: set[bytes] = set()
        expected = 0
        while expected < size:
            rows = self.store.leaves(expected, min(size, expected + _BATCH))
            for index, entry, stored in rows:
                if index != expected:
                    report.bad(
                        f"leaf {expected} is missing (next stored index is {index})", expected
                    )
                    return hashes
                h = leaf_hash(entry)
                if h != stored:
                    report.bad(f"leaf {index}: stored leaf hash does not match its entry", index)
                try:
                    leaf = decode_leaf(entry)
                except LeafError as exc:
                    report.bad(f"leaf {index}: {exc.message}", index)
                else:
                    if leaf.region != self.region:
                        report.bad(f"leaf {index}: region is {leaf.region!r}", index)
                    commitments.add(leaf.payload_commitment)
                hashes.append(h)
                expected += 1
            if not rows:
                report.bad(f"leaf {expected} is missing", expected)
                return hashes
        for c in commitments:
            body = self.store.payload(c)
            if body is None:
                report.payloads_missing += 1
            elif _sha256(body).digest() != c:
                report.bad(f"payload {c.hex()[:16]}… does not match its commitment")
        return hashes

    def _verify_tiles(self, report: VerifyReport, full: dict[T.TileKey, bytes], n: int) -> None:
        integrated = self.store.integrated_size()
        report.integrated_size = integrated
        if integrated > n:
            report.bad(f"tiles cover {integrated} leaves but only {n} are stored", n)
            integrated = n
        wanted = {k for k in full if (k[1] * T.TILE_WIDTH) << (T.TILE_HEIGHT * k[0]) < integrated}
        stored = self.store.tiles(wanted)
        for key in sorted(wanted):
            count = (integrated >> (T.TILE_HEIGHT * key[0])) - key[1] * T.TILE_WIDTH
            width = max(0, min(T.TILE_WIDTH, count))
            want = full[key][: width * 32]
            got = stored.get(key)
            if got is None:
                report.bad(f"tile {key} is missing")
                continue
            if got[: width * 32] != want:
                first = next(
                    (
                        i
                        for i in range(width)
                        if got[i * 32 : i * 32 + 32] != want[i * 32 : i * 32 + 32]
                    ),
                    0,
                )
                if key[0] == 0:
                    index = key[1] * T.TILE_WIDTH + first
                    report.bad(
                        f"leaf {index} differs from the leaf integrated at that index", index
                    )
                else:
                    report.bad(f"tile {key} does not match the leaves")

    def _verify_checkpoints(
        self, report: VerifyReport, full: dict[T.TileKey, bytes], n: int
    ) -> None:
        previous: tuple[int, bytes] | None = None
        for seq, (size, root, note, key_id, _) in enumerate(self.store.checkpoints()):
            report.checkpoints += 1
            where = f"checkpoint #{seq + 1} (size {size})"
            try:
                self._signed(note, key_id, size, root)
            except OnshoreError as exc:
                report.bad(f"{where}: {exc.message}")
                continue
            if size > n:
                report.bad(f"{where}: covers {size} leaves but only {n} are stored", n)
                continue
            if T.tree_root(size, full) != root:
                report.bad(f"{where}: root does not match the stored leaves")
                continue
            if previous is not None:
                old_size, old_root = previous
                if old_size > size:
                    report.bad(f"{where}: smaller than the checkpoint before it")
                    continue
                if 0 < old_size < size:
                    try:
                        proof = T.consistency_from_tiles(old_size, size, full)
                        verify_consistency(old_size, size, old_root, root, proof)
                    except AuditError as exc:
                        report.bad(f"{where}: not consistent with the previous one: {exc.message}")
            previous = (size, root)
