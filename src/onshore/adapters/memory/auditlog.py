"""In-memory audit log store (the ledger issue extends it to its full contract)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


class MemoryAuditLogStore:
    """Leaves kept in lists; rolled back with the database's transaction."""

    def __init__(self, db: Any) -> None:
        self._db = db
        self._entries: list[bytes] = []
        self._hashes: list[bytes] = []

    def snapshot(self) -> object:
        """State to restore on rollback."""
        return (len(self._entries),)

    def restore(self, snap: object) -> None:
        """Drop leaves appended since ``snap``."""
        (n,) = snap  # type: ignore[misc]
        del self._entries[n:]
        del self._hashes[n:]

    def append(self, entries: Sequence[bytes], leaf_hashes: Sequence[bytes]) -> int:
        """Append entries and their leaf hashes; return the first new index."""
        with self._db.transaction():
            first = len(self._entries)
            self._entries.extend(entries)
            self._hashes.extend(leaf_hashes)
            return first

    def size(self) -> int:
        """Number of leaves."""
        return len(self._entries)
