"""Ledger audit: recompute a region's log from its leaf bytes and reconcile it with its store.

Two scopes, both returning an :class:`AuditReport` of typed findings:

- :func:`audit_ledger` (``onshore ledger audit``, and ``ledger checkpoint`` before it signs)
  reads every leaf, hashes it from its bytes (the stored ``leaf_hash`` column is only
  compared, never trusted), recomputes every tile and checks the stored ones, checks every
  checkpoint's signature, root and consistency with the one before, and reconciles the
  record store with the ledger (``services.ledger_reconcile``).
- :func:`audit_tail` (automatic checkpoints) checks what a new checkpoint would vouch for:
  the last checkpoint's signature, the leaves appended since (from their bytes), the tiles
  over them, and that the tree still extends the last signed one. It reads only the tail.

Neither raises for a damaged log: every problem is a finding. Example:
    >>> from datetime import datetime, timezone
    >>> from onshore.adapters import open_database
    >>> from onshore.adapters.keystore import MemoryKeyStore
    >>> from onshore.core.ledger import LedgerEvent, EventType
    >>> from onshore.services.ledger import Ledger
    >>> keys = MemoryKeyStore(); _ = keys.create("ledger-hmac"), keys.create("ledger-signing")
    >>> log = Ledger("vn-hcm", open_database("memory://"), keys)
    >>> at = datetime(2025, 1, 1, tzinfo=timezone.utc)
    >>> _ = log.append([LedgerEvent(EventType.RECORD_PLACED, at, "vn-hcm", record_id="r1")])
    >>> [f.kind for f in audit_ledger(log).findings]
    ['placement.no_record']
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime
from typing import TYPE_CHECKING

from onshore.core.errors import AuditError, LeafError, OnshoreError
from onshore.core.ledger import tiles as T
from onshore.core.ledger.leaf import Leaf, decode_leaf
from onshore.core.ledger.merkle import EMPTY_ROOT, leaf_hash, verify_consistency
from onshore.services.ledger_findings import AuditReport
from onshore.services.ledger_reconcile import RecordLeaf, reconcile
from onshore.services.ledger_tree import LedgerTree

if TYPE_CHECKING:
    from onshore.ports import RecordStore

_BATCH = 1 << 16


def audit_ledger(log: LedgerTree, records: RecordStore | None = None) -> AuditReport:
    """Every check of the region's ledger and, unless ``records`` is None and the database
    has none, of its record store against it (see the module docstring)."""
    record_leaves: list[RecordLeaf] = []
    report = scan_structure(log, record_leaves)
    store = records if records is not None else log.db.records
    reconcile(log, store, record_leaves, report)
    return report


def scan_structure(log: LedgerTree, record_leaves: list[RecordLeaf] | None = None) -> AuditReport:
    """The ledger-only checks (leaves, payloads, tiles, checkpoints); what ``verify`` runs.

    Leaves that record a record's life (placed, transferred, erased) are appended to
    ``record_leaves`` for the reconciliation.
    """
    report = AuditReport(log.region)
    # tiles and checkpoints are read before the size: what a concurrent writer adds later
    # can then only be beyond what is checked, never a false "covers more than stored"
    integrated = log.store.integrated_size()
    checkpoints = log.store.checkpoints()
    size = log.store.size()
    report.size = size
    hashes = _scan_leaves(log, report, size, record_leaves)
    n = len(hashes)
    full = T.integrate(0, hashes, {}) if hashes else {}
    report.root = T.tree_root(n, full) if n == size else None
    _check_tiles(log, report, full, n, integrated)
    _check_checkpoints(log, report, full, n, checkpoints)
    return report


def check_leaf(
    log: LedgerTree, report: AuditReport, index: int, entry: bytes, stored: bytes
) -> tuple[bytes, Leaf | None]:
    """Hash one leaf from its bytes and decode it: ``(hash, decoded leaf or None)``."""
    h = leaf_hash(entry)
    if h != stored:
        report.add(
            "leaf.hash_mismatch",
            f"leaf {index}: stored leaf hash does not match its entry",
            index=index,
        )
    try:
        leaf = decode_leaf(entry)
    except LeafError as exc:
        report.add("leaf.invalid", f"leaf {index}: {exc.message}", index=index)
        return h, None
    if leaf.region != log.region:
        report.add("leaf.wrong_region", f"leaf {index}: region is {leaf.region!r}", index=index)
    return h, leaf


class _RefDigest:
    """An order-free digest of ``(record ref, leaf index)`` pairs: the sum of a keyed hash of
    each pair (a multiset hash). The key is fresh per audit, so whoever edits the index
    cannot craft entries whose sum matches."""

    def __init__(self, key: bytes) -> None:
        self.key = key
        self.total = 0
        self.count = 0

    def add(self, ref: bytes, index: int) -> None:
        h = hashlib.blake2b(ref + index.to_bytes(8, "big"), key=self.key, digest_size=32)
        self.total = (self.total + int.from_bytes(h.digest(), "big")) % (1 << 256)
        self.count += 1


def _scan_leaves(
    log: LedgerTree, report: AuditReport, size: int, record_leaves: list[RecordLeaf] | None
) -> list[bytes]:
    """Check every stored leaf; return the hashes of the leaves before the first gap (the
    tree is only recomputed that far), but keep checking and collecting past a gap."""
    hashes: list[bytes] = []
    commitments: set[bytes] = set()
    refs = _RefDigest(secrets.token_bytes(32))
    expected = 0
    gap = False
    while expected < size:
        rows = log.store.leaves(expected, min(size, expected + _BATCH))
        if not rows:
            report.add("leaf.missing", f"leaf {expected} is missing", index=expected)
            gap = True
            break
        for index, entry, stored in rows:
            if index != expected:
                report.add(
                    "leaf.missing",
                    f"leaf {expected} is missing (next stored index is {index})",
                    index=expected,
                )
                gap = True
            h, leaf = check_leaf(log, report, index, entry, stored)
            if leaf is not None:
                commitments.add(leaf.payload_commitment)
                if leaf.record_ref is not None:
                    refs.add(leaf.record_ref, index)
                record_leaf = RecordLeaf.of(index, leaf)
                if record_leaf is not None and record_leaves is not None:
                    record_leaves.append(record_leaf)
            if not gap:
                hashes.append(h)
            expected = index + 1
    _check_payloads(log, report, commitments)
    if not gap:  # with leaves gone the index necessarily disagrees: the gap is the finding
        _check_ref_index(log, report, refs, size)
    return hashes


def _check_ref_index(log: LedgerTree, report: AuditReport, leaves: _RefDigest, size: int) -> None:
    """The record index (record ref -> leaf index) must list exactly the leaves' refs."""
    index = _RefDigest(leaves.key)
    for ref, i in log.store.iter_refs():
        if i < size:
            index.add(ref, i)
    if (index.total, index.count) == (leaves.total, leaves.count):
        return
    named = 0
    for start in range(0, size, _BATCH):
        for i, entry, _h in log.store.leaves(start, min(size, start + _BATCH)):
            leaf_ref = entry[48:80] if len(entry) > 80 and entry[2] & 1 else None
            if leaf_ref is not None and i not in log.store.find_ref(leaf_ref):
                report.add(
                    "index.mismatch",
                    f"leaf {i}: the record index does not point at it (leaves were moved)",
                    index=i,
                )
                named += 1
                if named >= 20:
                    return
    if not named:
        report.add(
            "index.mismatch",
            f"the record index lists {index.count} refs below leaf {size}, "
            f"the leaves hold {leaves.count}",
        )


def _check_payloads(log: LedgerTree, report: AuditReport, commitments: set[bytes]) -> None:
    for c in sorted(commitments):
        body = log.store.payload(c)
        if body is None:
            report.payloads_missing += 1  # shredded payloads are allowed
        elif hashlib.sha256(body).digest() != c:
            report.add("payload.mismatch", f"payload {c.hex()[:16]}… does not match its commitment")


def _width(key: T.TileKey, size: int) -> int:
    """How many hashes tile ``key`` holds in a tree of ``size`` leaves (0: not yet there)."""
    count = (size >> (T.TILE_HEIGHT * key[0])) - key[1] * T.TILE_WIDTH
    return max(0, min(T.TILE_WIDTH, count))


def _check_tiles(
    log: LedgerTree, report: AuditReport, full: dict[T.TileKey, bytes], n: int, integrated: int
) -> None:
    report.integrated_size = integrated
    if integrated > n:
        report.add(
            "tiles.beyond_log",
            f"tiles cover {integrated} leaves but only {n} are stored",
            index=n,
        )
        integrated = n
    # only tiles that exist at the integrated size: a level whose count is still below one
    # tile's width has no tile yet (issue #11, finding 4: "tile (1, 0) is missing")
    wanted = {k for k in full if _width(k, integrated) > 0}
    stored = log.store.tiles(wanted)
    for key in sorted(wanted):
        width = _width(key, integrated)
        want = full[key][: width * 32]
        got = stored.get(key)
        if got is None:
            report.add("tile.missing", f"tile {key} is missing")
            continue
        if got[: width * 32] == want:
            continue
        first = next(
            (i for i in range(width) if got[i * 32 : i * 32 + 32] != want[i * 32 : i * 32 + 32]),
            0,
        )
        if key[0] == 0:
            index = key[1] * T.TILE_WIDTH + first
            report.add(
                "tile.mismatch",
                f"leaf {index} differs from the leaf integrated at that index",
                index=index,
            )
        else:
            report.add("tile.mismatch", f"tile {key} does not match the leaves")


def _check_checkpoints(
    log: LedgerTree,
    report: AuditReport,
    full: dict[T.TileKey, bytes],
    n: int,
    checkpoints: list[tuple[int, bytes, bytes, str, datetime]],
) -> None:
    previous: tuple[int, bytes] | None = None
    for seq, (size, root, note, key_id, _) in enumerate(checkpoints):
        report.checkpoints += 1
        where = f"checkpoint #{seq + 1} (size {size})"
        try:
            log.signed(note, key_id, size, root)
        except OnshoreError as exc:
            report.add("checkpoint.signature", f"{where}: {exc.message}")
            continue
        if size > n:
            report.add(
                "checkpoint.beyond_log",
                f"{where}: covers {size} leaves but only {n} are stored",
                index=n,
            )
            continue
        if T.tree_root(size, full) != root:
            report.add(
                "checkpoint.root_mismatch", f"{where}: root does not match the stored leaves"
            )
            continue
        if previous is not None:
            old_size, old_root = previous
            if old_size > size:
                report.add("checkpoint.shrank", f"{where}: smaller than the checkpoint before it")
                continue
            if 0 < old_size < size:
                try:
                    proof = T.consistency_from_tiles(old_size, size, full)
                    verify_consistency(old_size, size, old_root, root, proof)
                except AuditError as exc:
                    report.add(
                        "checkpoint.inconsistent",
                        f"{where}: not consistent with the previous one: {exc.message}",
                    )
        previous = (size, root)


def audit_tail(log: LedgerTree) -> AuditReport:
    """Check what a checkpoint over the current log would sign (see the module docstring).

    Integrates the tail into the stored tiles (from the leaf bytes). On a clean report,
    ``size`` and ``root`` are the tree to sign.
    """
    report = AuditReport(log.region)
    store = log.store
    latest = store.latest_checkpoint()
    old_size, old_root = 0, EMPTY_ROOT
    if latest is not None:
        old_size, old_root, note, key_id, _ = latest
        report.checkpoints = 1
        try:
            log.signed(note, key_id, old_size, old_root)
        except OnshoreError as exc:
            report.add(
                "checkpoint.signature", f"latest checkpoint (size {old_size}): {exc.message}"
            )
            return report
    integrated = report.integrated_size = store.integrated_size()  # before the size: see above
    size = report.size = store.size()
    if old_size > size:
        report.add(
            "checkpoint.beyond_log",
            f"the log shrank from {old_size} to {size} leaves since the last checkpoint",
            index=size,
        )
        return report
    hashes: list[bytes] = []
    for start in range(old_size, size, _BATCH):
        rows = store.leaves(start, min(size, start + _BATCH))
        for offset, (index, entry, stored) in enumerate(rows):
            if index != start + offset:
                report.add(
                    "leaf.missing", f"leaf {start + offset} is missing", index=start + offset
                )
                return report
            hashes.append(check_leaf(log, report, index, entry, stored)[0])
        if len(rows) < min(size, start + _BATCH) - start:
            missing = start + len(rows)
            report.add("leaf.missing", f"leaf {missing} is missing", index=missing)
            return report
    if integrated > size:
        report.add(
            "tiles.beyond_log",
            f"tiles cover {integrated} leaves but only {size} are stored",
            index=size,
        )
    if not report.ok:
        return report
    edge: dict[T.TileKey, bytes] = {}
    for key, data in store.tiles(T.edge_tile_keys(old_size)).items():
        edge[key] = data[: _width(key, old_size) * 32]
    try:
        fresh = T.integrate(old_size, hashes, edge) if hashes else {}
        log.integrate()
        keys = T.root_tile_keys(size) | T.root_tile_keys(old_size)
        keys |= T.consistency_tile_keys(old_size, size) if old_size else set()
        have = store.tiles(keys | set(fresh))
        for key, data in sorted(fresh.items()):
            if have.get(key, b"")[: len(data)] != data:  # a concurrent writer may be further
                report.add("tile.mismatch", f"tile {key} does not match the leaves appended since")
        merged = {**have, **fresh}
        if T.tree_root(old_size, merged) != old_root:
            report.add(
                "checkpoint.root_mismatch", "the tree no longer matches the last signed checkpoint"
            )
            return report
        root = T.tree_root(size, merged)
        if 0 < old_size < size:
            proof = T.consistency_from_tiles(old_size, size, merged)
            verify_consistency(old_size, size, old_root, root, proof)
    except AuditError as exc:
        report.add(
            "checkpoint.inconsistent",
            f"the tree does not extend the last checkpoint: {exc.message}",
        )
        return report
    report.root = root
    return report
