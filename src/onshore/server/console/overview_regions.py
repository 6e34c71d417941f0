"""The overview's regions: records and subjects per region, the latest signed checkpoint and
whether the region answers (its error code when it does not).

Subjects are counted from the records' keyed subject references (the blind index): nothing is
decrypted. A region whose store fails shows the error's stable code, as the status page did.

Example:
    >>> RegionRow("vn-hcm", "VN", error="store.unavailable").healthy
    False
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from onshore.core.errors import OnshoreError
from onshore.services.runtime import Region
from onshore.services.vault import Vault


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """A region's latest signed checkpoint: tree size, root hash (hex), time, signing key."""

    size: int
    root: str
    at: datetime
    key_id: str


@dataclass(frozen=True, slots=True)
class RegionRow:
    """One region as the overview shows it (``error`` set when it did not answer)."""

    name: str
    country: str
    records: int | None = None
    subjects: int | None = None
    leaves: int | None = None
    checkpoint: Checkpoint | None = None
    error: str | None = None

    @property
    def healthy(self) -> bool:
        """True when the region answered every question."""
        return self.error is None


def region_row(vault: Vault, name: str, region: Region) -> RegionRow:
    """Read one region's counts and latest checkpoint; a failing store gives its code."""
    try:
        region.db.ping()
        records = region.db.records.count()
        subjects = region.db.records.count_subjects()
        store = vault.ledger(name).store
        leaves = store.size()
        latest = store.latest_checkpoint()
    except OnshoreError as exc:
        return RegionRow(name, region.country, error=exc.code)
    checkpoint = None
    if latest is not None:
        size, root, _note, key_id, at = latest
        checkpoint = Checkpoint(size, root.hex(), at, key_id)
    return RegionRow(name, region.country, records, subjects, leaves, checkpoint)


def region_rows(vault: Vault) -> list[RegionRow]:
    """Every configured region, in configuration order."""
    return [region_row(vault, name, r) for name, r in vault.runtime.regions.items()]
