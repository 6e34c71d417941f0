"""In-memory batch store: the reference implementation of ``onshore.ports.BatchStore``.

Rollback uses an undo log, as the other memory stores do: every change appends the previous
value of the entry it touched, and ``restore`` replays the log backwards.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from onshore.core.errors import StoreIntegrityError
from onshore.ports import BatchDecision, StagedShare

_MISSING = object()


class MemoryBatchStore:
    """Pending shares and decisions in dicts.

    Example:
        >>> from onshore.adapters.memory.database import MemoryDatabase
        >>> MemoryDatabase().batches.shares()
        []
    """

    def __init__(self, db: Any) -> None:
        self._db = db
        self._shares: dict[str, tuple[StagedShare, tuple[tuple[str, bytes], ...]]] = {}
        self._decisions: dict[str, BatchDecision] = {}
        self._undo: list[tuple[dict[str, Any], str, object]] = []

    def snapshot(self) -> object:
        """A position in the undo log (the log restarts with each outermost transaction)."""
        if getattr(self._db, "_depth", 0) == 0:
            self._undo.clear()
        return len(self._undo)

    def restore(self, snap: object) -> None:
        """Undo every change made since ``snap``."""
        assert isinstance(snap, int)
        while len(self._undo) > snap:
            table, key, previous = self._undo.pop()
            if previous is _MISSING:
                table.pop(key, None)
            else:
                table[key] = previous

    def _set(self, table: dict[str, Any], key: str, value: object) -> None:
        self._undo.append((table, key, table.get(key, _MISSING)))
        if value is _MISSING:
            table.pop(key, None)
        else:
            table[key] = value

    def stage(self, share: StagedShare, rows: Sequence[tuple[str, bytes]]) -> None:
        """Store a pending share with its ``(record_id, body)`` rows, in order."""
        with self._db.transaction():
            if share.batch_id in self._shares:
                raise StoreIntegrityError("that batch already has a share in this region")
            self._set(self._shares, share.batch_id, (share, tuple(rows)))

    def shares(self) -> list[StagedShare]:
        """Every pending share of this region, oldest first."""
        with self._db.reading():
            found = [s for s, _ in self._shares.values()]
        return sorted(found, key=lambda s: (s.staged_at, s.batch_id))

    def share(self, batch_id: str) -> StagedShare | None:
        """The pending share of ``batch_id``, or None."""
        with self._db.reading():
            entry = self._shares.get(batch_id)
        return None if entry is None else entry[0]

    def rows(self, batch_id: str) -> list[bytes]:
        """The bodies of a pending share's rows, in the order they were staged."""
        with self._db.reading():
            entry = self._shares.get(batch_id)
        return [] if entry is None else [body for _, body in entry[1]]

    def holding(self, record_ids: Sequence[str]) -> set[str]:
        """Batch ids of the pending shares that stage any of ``record_ids``."""
        wanted = set(record_ids)
        with self._db.reading():
            return {
                batch_id
                for batch_id, (_, rows) in self._shares.items()
                if any(rid in wanted for rid, _ in rows)
            }

    def discard(self, batch_id: str) -> bool:
        """Delete a pending share and its rows; False when there was none."""
        with self._db.transaction():
            if batch_id not in self._shares:
                return False
            self._set(self._shares, batch_id, _MISSING)
            return True

    def decide(self, decision: BatchDecision) -> str:
        """Store ``decision`` unless the batch already has one; return the stored outcome."""
        with self._db.transaction():
            stored = self._decisions.get(decision.batch_id)
            if stored is None:
                self._set(self._decisions, decision.batch_id, decision)
                return decision.outcome
            return stored.outcome

    def decision(self, batch_id: str) -> BatchDecision | None:
        """The decision stored for ``batch_id``, or None."""
        with self._db.reading():
            return self._decisions.get(batch_id)

    def decisions(self) -> list[BatchDecision]:
        """Every decision stored here, oldest first."""
        with self._db.reading():
            found = list(self._decisions.values())
        return sorted(found, key=lambda d: (d.decided_at, d.batch_id))

    def forget(self, batch_id: str) -> bool:
        """Delete a decision; False when there was none."""
        with self._db.transaction():
            if batch_id not in self._decisions:
                return False
            self._set(self._decisions, batch_id, _MISSING)
            return True
