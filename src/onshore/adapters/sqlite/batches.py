"""SQLite batch store: pending shares of cross-region batches and their commit decisions.

``batch_shares`` holds one row per pending share (its coordinator and regions),
``batch_rows`` the share's staged rows (opaque bodies: sealed records and encoded leaves),
``batch_decisions`` the decisions of the batches this region coordinates. The three tables
are the schema addition of the atomic batch commit; ``SCHEMA`` is additive DDL only.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from onshore.adapters.record_rows import utc_datetime
from onshore.core.errors import StoreError, StoreUnavailable
from onshore.ports import BatchDecision, StagedShare

_CHUNK = 900


@contextmanager
def _translated(url: str) -> Iterator[None]:
    try:
        yield
    except sqlite3.OperationalError as exc:
        raise StoreUnavailable(f"SQLite store {url!r} failed: {exc}") from exc
    except sqlite3.Error as exc:
        raise StoreError(f"SQLite store {url!r} failed: {exc}") from exc


def _names(text: str) -> tuple[str, ...]:
    return tuple(n for n in text.split(",") if n)


def _share(row: Sequence[Any]) -> StagedShare:
    return StagedShare(row[0], row[1], _names(row[2]), utc_datetime(row[3]))


def _decision(row: Sequence[Any]) -> BatchDecision:
    return BatchDecision(row[0], row[1], _names(row[2]), utc_datetime(row[3]))


class SqliteBatchStore:
    """Pending shares and decisions in the region's SQLite file.

    Example:
        >>> import tempfile, pathlib
        >>> from onshore.adapters.sqlite.database import SqliteDatabase
        >>> db = SqliteDatabase("sqlite:///b.db", pathlib.Path(tempfile.mkdtemp()) / "b.db")
        >>> db.batches.shares(), db.batches.decisions()
        ([], [])
        >>> db.close()
    """

    SCHEMA = """
    CREATE TABLE IF NOT EXISTS batch_shares (
        batch_id TEXT PRIMARY KEY,
        coordinator TEXT NOT NULL,
        regions TEXT NOT NULL,
        staged_at TEXT NOT NULL
    );
    CREATE TABLE IF NOT EXISTS batch_rows (
        batch_id TEXT NOT NULL,
        seq INTEGER NOT NULL,
        record_id TEXT NOT NULL,
        body BLOB NOT NULL,
        PRIMARY KEY (batch_id, seq)
    ) WITHOUT ROWID;
    CREATE INDEX IF NOT EXISTS batch_rows_by_record ON batch_rows (record_id);
    CREATE TABLE IF NOT EXISTS batch_decisions (
        batch_id TEXT PRIMARY KEY,
        outcome TEXT NOT NULL CHECK (outcome IN ('commit', 'abort')),
        regions TEXT NOT NULL,
        decided_at TEXT NOT NULL
    )
    """

    def __init__(self, db: Any) -> None:
        self._db = db

    def _read(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        with self._db.reading(), _translated(self._db.url):
            return list(self._db.conn.execute(sql, params).fetchall())

    def stage(self, share: StagedShare, rows: Sequence[tuple[str, bytes]]) -> None:
        """Store a pending share with its ``(record_id, body)`` rows, in order."""
        with self._db.transaction(), _translated(self._db.url):
            self._db.conn.execute(
                "INSERT INTO batch_shares (batch_id, coordinator, regions, staged_at) "
                "VALUES (?, ?, ?, ?)",
                (
                    share.batch_id,
                    share.coordinator,
                    ",".join(share.regions),
                    share.staged_at.isoformat(timespec="microseconds"),
                ),
            )
            self._db.conn.executemany(
                "INSERT INTO batch_rows (batch_id, seq, record_id, body) VALUES (?, ?, ?, ?)",
                [(share.batch_id, i, rid, body) for i, (rid, body) in enumerate(rows)],
            )

    def shares(self) -> list[StagedShare]:
        """Every pending share of this region, oldest first."""
        rows = self._read(
            "SELECT batch_id, coordinator, regions, staged_at FROM batch_shares "
            "ORDER BY staged_at, batch_id"
        )
        return [_share(r) for r in rows]

    def share(self, batch_id: str) -> StagedShare | None:
        """The pending share of ``batch_id``, or None."""
        rows = self._read(
            "SELECT batch_id, coordinator, regions, staged_at FROM batch_shares WHERE batch_id = ?",
            (batch_id,),
        )
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
        for start in range(0, len(ids), _CHUNK):
            chunk = ids[start : start + _CHUNK]
            marks = ",".join("?" * len(chunk))
            found.update(
                r[0]
                for r in self._read(
                    f"SELECT DISTINCT batch_id FROM batch_rows WHERE record_id IN ({marks})", chunk
                )
            )
        return found

    def discard(self, batch_id: str) -> bool:
        """Delete a pending share and its rows; False when there was none."""
        with self._db.transaction(), _translated(self._db.url):
            self._db.conn.execute("DELETE FROM batch_rows WHERE batch_id = ?", (batch_id,))
            cur = self._db.conn.execute("DELETE FROM batch_shares WHERE batch_id = ?", (batch_id,))
            return bool(cur.rowcount)

    def decide(self, decision: BatchDecision) -> str:
        """Store ``decision`` unless the batch already has one; return the stored outcome."""
        with self._db.transaction(), _translated(self._db.url):
            self._db.conn.execute(
                "INSERT INTO batch_decisions (batch_id, outcome, regions, decided_at) "
                "VALUES (?, ?, ?, ?) ON CONFLICT (batch_id) DO NOTHING",
                (
                    decision.batch_id,
                    decision.outcome,
                    ",".join(decision.regions),
                    decision.decided_at.isoformat(timespec="microseconds"),
                ),
            )
            row = self._db.conn.execute(
                "SELECT outcome FROM batch_decisions WHERE batch_id = ?", (decision.batch_id,)
            ).fetchone()
        return str(row[0])

    def decision(self, batch_id: str) -> BatchDecision | None:
        """The decision stored for ``batch_id``, or None."""
        rows = self._read(
            "SELECT batch_id, outcome, regions, decided_at FROM batch_decisions WHERE batch_id = ?",
            (batch_id,),
        )
        return _decision(rows[0]) if rows else None

    def decisions(self) -> list[BatchDecision]:
        """Every decision stored here, oldest first."""
        rows = self._read(
            "SELECT batch_id, outcome, regions, decided_at FROM batch_decisions "
            "ORDER BY decided_at, batch_id"
        )
        return [_decision(r) for r in rows]

    def forget(self, batch_id: str) -> bool:
        """Delete a decision; False when there was none."""
        with self._db.transaction(), _translated(self._db.url):
            cur = self._db.conn.execute(
                "DELETE FROM batch_decisions WHERE batch_id = ?", (batch_id,)
            )
            return bool(cur.rowcount)
