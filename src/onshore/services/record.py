"""The values the vault hands back: a decrypted ``Record`` and the ``Receipt`` of a write.

They live apart from ``services.vault`` so that the paths the vault delegates to (writing,
reading, transfer, update) return them without importing the vault.

Example:
    >>> Receipt("vn-hcm~" + "0" * 32, "vn-hcm", 0).region
    'vn-hcm'
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True, slots=True)
class Receipt:
    """Where a record went: its id, region and the ledger index of its placement leaf."""

    record_id: str
    region: str
    ledger_index: int


@dataclass(frozen=True, slots=True)
class Record:
    """A record as the vault returns it (decrypted)."""

    record_id: str
    subject_id: str
    kind: str
    data: dict[str, Any]
    created_at: datetime
    region: str
    categories: tuple[str, ...]
    subject_country: str
