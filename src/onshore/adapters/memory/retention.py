"""The deferred-erasure log in memory (tests, ``memory://`` control stores: one process only).

Example:
    >>> from datetime import datetime, timezone
    >>> from onshore.ports.retention import DeferredErasure
    >>> log, at = MemoryDeferredErasureLog(), datetime(2026, 3, 6, tzinfo=timezone.utc)
    >>> log.add(DeferredErasure("de-1", {}, at, at, (), "r", "host:root"))
    >>> [e.erasure_id for e in log.pending(due_by=at)]
    ['de-1']
"""

from __future__ import annotations

import dataclasses
import threading
from datetime import datetime

from onshore.core.errors import InputError
from onshore.ports.retention import DeferredErasure, ErasureStatus


class MemoryDeferredErasureLog:
    """Deferred erasures in a dict, guarded by a lock."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._rows: dict[str, DeferredErasure] = {}

    def add(self, erasure: DeferredErasure) -> None:
        """Record a new deferred erasure (``InputError`` if the id is taken)."""
        with self._lock:
            if erasure.erasure_id in self._rows:
                raise InputError("deferred erasure id taken", details={"id": erasure.erasure_id})
            self._rows[erasure.erasure_id] = erasure

    def get(self, erasure_id: str) -> DeferredErasure | None:
        """The deferred erasure, or None."""
        return self._rows.get(erasure_id)

    def pending(
        self, *, due_by: datetime | None = None, limit: int = 1000
    ) -> list[DeferredErasure]:
        """Erasures not done (due by ``due_by``), soonest first."""
        with self._lock:
            rows = [
                e
                for e in self._rows.values()
                if e.status != "done" and (due_by is None or e.until <= due_by)
            ]
        return sorted(rows, key=lambda e: (e.until, e.erasure_id))[:limit]

    def finish(
        self, erasure_id: str, status: ErasureStatus, at: datetime, detail: str | None = None
    ) -> None:
        """Record how carrying it out went."""
        with self._lock:
            row = self._rows[erasure_id]
            self._rows[erasure_id] = dataclasses.replace(
                row, status=status, done_at=at, detail=detail
            )

    def close(self) -> None:
        """Nothing to release."""
