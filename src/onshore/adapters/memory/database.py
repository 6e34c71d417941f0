"""The in-memory region database: stores snapshot on begin and restore on rollback."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any


class MemoryDatabase:
    """A region database held in dicts: the reference for the conformance suites.

    Each store exposes ``snapshot() -> object`` and ``restore(snapshot)``; a transaction
    that raises restores every store as it was when the outermost transaction began.

    Example:
        >>> db = MemoryDatabase("memory://")
        >>> db.records.count()
        0
    """

    def __init__(self, url: str = "memory://") -> None:
        from onshore.adapters.memory.audience import MemoryAudienceStore
        from onshore.adapters.memory.batches import MemoryBatchStore
        from onshore.adapters.memory.cases import MemoryCaseStore
        from onshore.adapters.memory.key_fingerprints import MemoryKeyFingerprintStore
        from onshore.adapters.memory.ledger import MemoryLedgerStore
        from onshore.adapters.memory.records import MemoryRecordStore

        self.url = url
        self._lock = threading.RLock()
        self._depth = 0
        self.records = MemoryRecordStore(self)
        self.ledger = MemoryLedgerStore(self)
        self.cases = MemoryCaseStore(self)
        self.audience = MemoryAudienceStore(self)
        self.key_fingerprints = MemoryKeyFingerprintStore(self)
        self.batches = MemoryBatchStore(self)
        self._stores: list[Any] = [
            self.records,
            self.ledger,
            self.cases,
            self.audience,
            self.key_fingerprints,
            self.batches,
        ]

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Open (or join) a transaction; on an exception every store is rolled back."""
        with self._lock:
            snaps = [s.snapshot() for s in self._stores]
            self._depth += 1
            try:
                yield
            except BaseException:
                for store, snap in zip(self._stores, snaps, strict=True):
                    store.restore(snap)
                raise
            finally:
                self._depth -= 1

    @contextmanager
    def reading(self) -> Iterator[None]:
        """Hold the lock for a read."""
        with self._lock:
            yield

    def ping(self) -> None:
        """Memory is always reachable."""

    def close(self) -> None:
        """Nothing to release."""
