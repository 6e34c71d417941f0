"""The batch store in neutral SQL: pending shares of cross-region batches and their commit
decisions, over SQLite or PostgreSQL (``adapters.sql.dialect``).

``batch_shares`` holds one row per pending share (its coordinator and regions),
``batch_rows`` the share's staged rows (opaque bodies: sealed records and encoded leaves),
``batch_decisions`` the decisions of the batches this region coordinates. Region lists are
stored as comma-joined text. A driver error is a ``StoreUnavailable`` (operational) or a
plain ``StoreError``, an integrity violation included.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractContextManager
from typing import Any

from onshore.adapters.record_rows import utc_datetime
from onshore.adapters.sql.dialect import Dialect
from onshore.ports import BatchDecision, StagedShare

_SHARE = "SELECT batch_id, coordinator, regions, staged_at FROM batch_shares"
_DECISION = "SELECT batch_id, outcome, regions, decided_at FROM batch_decisions"


def _names(text: str) -> tuple[str, ...]:
    return tuple(n for n in text.split(",") if n)


def _share(row: Sequence[Any]) -> StagedShare:
    return StagedShare(row[0], row[1], _names(row[2]), utc_datetime(row[3]))


def _decision(row: Sequence[Any]) -> BatchDecision:
    return BatchDecision(row[0], row[1], _names(row[2]), utc_datetime(row[3]))


class SqlBatchStore:
    """Pending shares and decisions in a region's SQL database; ``db`` is its handle.

    Subclasses (``SqliteBatchStore``, ``PostgresBatchStore``) hold the schema. The
    conformance suite is ``tests/conformance/test_batch_store.py``.
    """

    def __init__(self, db: Any, dialect: Dialect) -> None:
        self._db = db
        self._d = dialect

    def _translated(self) -> AbstractContextManager[None]:
        return self._d.translated(self._db.url, integrity=False)

    def _execute(self, sql: str, params: Sequence[Any] = ()) -> Any:
        return self._db.execute(self._d.sql(sql), tuple(params))

    def _read(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        with self._db.reading(), self._translated():
            return list(self._execute(sql, params).fetchall())

    def stage(self, share: StagedShare, rows: Sequence[tuple[str, bytes]]) -> None:
        """Store a pending share with its ``(record_id, body)`` rows, in order."""
        with self._db.transaction(), self._translated():
            self._execute(
                "INSERT INTO batch_shares (batch_id, coordinator, regions, staged_at) "
                "VALUES (?, ?, ?, ?)",
                (
                    share.batch_id,
                    share.coordinator,
                    ",".join(share.regions),
                    self._d.time(share.staged_at),
                ),
            )
            self._d.executemany(
                self._db.conn,
                "INSERT INTO batch_rows (batch_id, seq, record_id, body) VALUES (?, ?, ?, ?)",
                [(share.batch_id, i, rid, body) for i, (rid, body) in enumerate(rows)],
            )

    def shares(self) -> list[StagedShare]:
        """Every pending share of this region, oldest first."""
        return [_share(r) for r in self._read(f"{_SHARE} ORDER BY staged_at, batch_id")]

    def share(self, batch_id: str) -> StagedShare | None:
        """The pending share of ``batch_id``, or None."""
        rows = self._read(f"{_SHARE} WHERE batch_id = ?", (batch_id,))
        return _share(rows[0]) if rows else None

    def rows(self, batch_id: str) -> list[bytes]:
        """The bodies of a pending share's rows, in the order they were staged."""
        rows = self._read(
            "SELECT body FROM batch_rows WHERE batch_id = ? ORDER BY seq", (batch_id,)
        )
        return [bytes(r[0]) for r in rows]

    def holding(self, record_ids: Sequence[str]) -> set[str]:
        """Batch ids of the pending shares that stage any of ``record_ids``."""
        found: set[str] = set()
        ids = list(dict.fromkeys(record_ids))
        size = self._d.chunk or max(len(ids), 1)
        for start in range(0, len(ids), size):
            condition, params = self._d.any_of("record_id", ids[start : start + size])
            sql = f"SELECT DISTINCT batch_id FROM batch_rows WHERE {condition}"
            found.update(r[0] for r in self._read(sql, params))
        return found

    def discard(self, batch_id: str) -> bool:
        """Delete a pending share and its rows; False when there was none."""
        with self._db.transaction(), self._translated():
            self._execute("DELETE FROM batch_rows WHERE batch_id = ?", (batch_id,))
            cur = self._execute("DELETE FROM batch_shares WHERE batch_id = ?", (batch_id,))
            return bool(cur.rowcount)

    def decide(self, decision: BatchDecision) -> str:
        """Store ``decision`` unless the batch already has one; return the stored outcome."""
        with self._db.transaction(), self._translated():
            self._execute(
                "INSERT INTO batch_decisions (batch_id, outcome, regions, decided_at) "
                "VALUES (?, ?, ?, ?) ON CONFLICT (batch_id) DO NOTHING",
                (
                    decision.batch_id,
                    decision.outcome,
                    ",".join(decision.regions),
                    self._d.time(decision.decided_at),
                ),
            )
            row = self._execute(
                "SELECT outcome FROM batch_decisions WHERE batch_id = ?", (decision.batch_id,)
            ).fetchone()
        return str(row[0])

    def decision(self, batch_id: str) -> BatchDecision | None:
        """The decision stored for ``batch_id``, or None."""
        rows = self._read(f"{_DECISION} WHERE batch_id = ?", (batch_id,))
        return _decision(rows[0]) if rows else None

    def decisions(self) -> list[BatchDecision]:
        """Every decision stored here, oldest first."""
        return [_decision(r) for r in self._read(f"{_DECISION} ORDER BY decided_at, batch_id")]

    def forget(self, batch_id: str) -> bool:
        """Delete a decision; False when there was none."""
        with self._db.transaction(), self._translated():
            cur = self._execute("DELETE FROM batch_decisions WHERE batch_id = ?", (batch_id,))
            return bool(cur.rowcount)
