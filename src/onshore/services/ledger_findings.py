"""What a ledger audit finds: typed findings with a stable ``kind``, gathered in a report.

Every problem ``onshore ledger audit`` (and the checks ``ledger checkpoint`` runs before it
signs) can find is a :class:`Finding` whose ``kind`` is one of :data:`KINDS`. Kinds are part of
the public interface (scripts match on them): add new ones freely, never rename one.

Example:
    >>> report = AuditReport("vn-hcm")
    >>> report.add("leaf.missing", "leaf 3 is missing", index=3)
    >>> report.ok, report.first_bad_index, report.findings[0].kind
    (False, 3, 'leaf.missing')
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from onshore.core.errors import LedgerAuditFailed

#: Every finding kind, with what it means (docs/ledger.md shows this table).
KINDS: dict[str, str] = {
    "leaf.missing": "a leaf index below the log's size has no stored leaf",
    "leaf.hash_mismatch": "the stored leaf hash is not SHA-256(0x00 || leaf bytes)",
    "leaf.invalid": "the leaf bytes do not decode as a leaf",
    "leaf.wrong_region": "the leaf names another region",
    "payload.mismatch": "a stored payload does not hash to the commitment its leaf holds",
    "index.mismatch": "the record index (record ref -> leaf) disagrees with the leaves",
    "tiles.beyond_log": "the tiles cover more leaves than the log holds (leaves were removed)",
    "tile.missing": "a tile the integrated tree needs is not stored",
    "tile.mismatch": "a stored tile differs from the tile recomputed from the leaf bytes",
    "checkpoint.signature": "a checkpoint's signature, origin or row does not verify",
    "checkpoint.beyond_log": "a checkpoint covers more leaves than the log holds",
    "checkpoint.root_mismatch": "a checkpoint's root is not the root of the stored leaves",
    "checkpoint.shrank": "a checkpoint is smaller than the one signed before it",
    "checkpoint.inconsistent": "a checkpoint's tree does not extend the one signed before it",
    "record.no_placement": "a record row has no placement (or transfer-in) leaf",
    "record.after_erasure": "a record row exists although its last leaf erased or moved it away",
    "placement.no_record": "a placement leaf's record is neither stored, erased nor moved away",
    "placement.duplicate": "a record has a second placement leaf while the first still holds",
}


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem: its stable ``kind``, a message, and the leaf index or record it concerns."""

    kind: str
    message: str
    index: int | None = None
    record_id: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready finding."""
        return {
            "kind": self.kind,
            "message": self.message,
            "index": self.index,
            "record_id": self.record_id,
        }


@dataclass
class AuditReport:
    """What an audit of one region found. ``ok`` is True when there is no finding.

    ``root`` is the root of the first ``size`` leaves recomputed from their bytes (None when
    the leaves could not be read end to end), the tree a checkpoint may sign.
    """

    region: str
    size: int = 0
    integrated_size: int = 0
    checkpoints: int = 0
    records: int = 0
    payloads_missing: int = 0
    root: bytes | None = None
    findings: list[Finding] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when nothing was found."""
        return not self.findings

    @property
    def first_bad_index(self) -> int | None:
        """The lowest leaf index named by a finding."""
        indexes = [f.index for f in self.findings if f.index is not None]
        return min(indexes) if indexes else None

    def add(
        self, kind: str, message: str, *, index: int | None = None, record_id: str | None = None
    ) -> None:
        """Record a finding (``kind`` must be one of ``KINDS``)."""
        if kind not in KINDS:
            raise ValueError(f"unknown finding kind {kind!r}")
        self.findings.append(Finding(kind, message, index, record_id))

    def counts(self) -> dict[str, int]:
        """How many findings of each kind."""
        out: dict[str, int] = {}
        for f in self.findings:
            out[f.kind] = out.get(f.kind, 0) + 1
        return out

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready report."""
        return {
            "region": self.region,
            "ok": self.ok,
            "size": self.size,
            "integrated_size": self.integrated_size,
            "checkpoints": self.checkpoints,
            "records": self.records,
            "payloads_missing": self.payloads_missing,
            "first_bad_index": self.first_bad_index,
            "counts": self.counts(),
            "findings": [f.to_dict() for f in self.findings],
        }

    def raise_if_bad(self, what: str) -> None:
        """Raise ``LedgerAuditFailed`` (``what``, then the first finding) if there is any."""
        if self.ok:
            return
        first = self.findings[0]
        raise LedgerAuditFailed(
            f"{what}: {len(self.findings)} finding(s) in the ledger of {self.region}, "
            f"first {first.kind}: {first.message} (see `onshore ledger audit`)",
            details={
                "region": self.region,
                "counts": self.counts(),
                "findings": [f.to_dict() for f in self.findings[:20]],
            },
        )
