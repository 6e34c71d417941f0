"""PostgreSQL batch store: pending shares of cross-region batches and their commit decisions.

``batch_shares`` holds one row per pending share (its coordinator and regions),
``batch_rows`` the share's staged rows (opaque bodies: sealed records and encoded leaves),
``batch_decisions`` the decisions of the batches this region coordinates. The three tables
are the schema addition of the atomic batch commit; ``SCHEMA`` is additive DDL only.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import psycopg

from onshore.adapters.record_rows import utc_datetime
from onshore.core.errors import StoreError, StoreUnavailable
from onshore.ports import BatchDecision, StagedShare


@contextmanager
def _translated(url: str) -> Iterator[None]:
    try:
        yield
    except psycopg.OperationalError as exc:
        raise StoreUnavailable(
            "the PostgreSQL store is unavailable", details={"reason": type(exc).__name__}
        ) from exc
    except psycopg.Error as exc:
        raise StoreError(
            "the PostgreSQL store failed",
            details={"reason": type(exc).__name__, "sqlstate": exc.sqlstate},
        ) from exc


def _names(text: str) -> tuple[str, ...]:
    return tuple(n for n in text.split(",") if n)


def _share(row: Sequence[Any]) -> StagedShare:
    return StagedShare(row[0], row[1], _names(row[2]), utc_datetime(row[3]))


def _decision(row: Sequence[Any]) -> BatchDecision:
    return BatchDecision(row[0], row[1], _names(row[2]), utc_datetime(row[3]))


class PostgresBatchStore:
    """Pending shares and decisions in the region's PostgreSQL database.

    The conformance suite (``tests/conformance/test_batch_store.py``) runs it on a real
    cluster.
    """

    SCHEMA = """
    CREATE TABLE IF NOT EXISTS batch_shares (
        batch_id TEXT COLLATE "C" PRIMARY KEY,
        coordinator TEXT NOT NULL,
        regions TEXT NOT NULL,
        staged_at TIMESTAMPTZ NOT NULL
    );
    CREATE TABLE IF NOT EXISTS batch_rows (
        batch_id TEXT NOT NULL,
        seq INTEGER NOT NULL,
        record_id TEXT NOT NULL,
        body BYTEA NOT NULL,
        PRIMARY KEY (batch_id, seq)
    );
    CREATE INDEX IF NOT EXISTS batch_rows_by_record ON batch_rows (record_id);
    CREATE TABLE IF NOT EXISTS batch_decisions (
        batch_id TEXT COLLATE "C" PRIMARY KEY,
        outcome TEXT NOT NULL CHECK (outcome IN ('commit', 'abort')),
        regions TEXT NOT NULL,
        decided_at TIMESTAMPTZ NOT NULL
    )
    """

    def __init__(self, db: Any) -> None:
        self._db = db

    def _read(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        with self._db.reading(), _translated(self._db.url):
            return list(self._db.execute(sql, params).fetchall())

    def stage(self, share: StagedShare, rows: Sequence[tuple[str, bytes]]) -> None:
        """Store a pending share with its ``(record_id, body)`` rows, in order."""
        with self._db.transaction(), _translated(self._db.url):
            self._db.execute(
                "INSERT INTO batch_shares (batch_id, coordinator, regions, staged_at) "
                "VALUES (%s, %s, %s, %s)",
                (
                    share.batch_id,
                    share.coordinator,
                    ",".join(share.regions),
                    share.staged_at,
                ),
            )
            with self._db.conn.cursor() as cur:
                cur.executemany(
                    "INSERT INTO batch_rows (batch_id, seq, record_id, body) "
                    "VALUES (%s, %s, %s, %s)",
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
            "SELECT batch_id, coordinator, regions, staged_at FROM batch_shares "
            "WHERE batch_id = %s",
            (batch_id,),
        )
        return _share(rows[0]) if rows else None

    def rows(self, batch_id: str) -> list[bytes]:
        """The bodies of a pending share's rows, in the order they were staged."""
        rows = self._read(
            "SELECT body FROM batch_rows WHERE batch_id = %s ORDER BY seq", (batch_id,)
        )
        return [bytes(r[0]) for r in rows]

    def holding(self, record_ids: Sequence[str]) -> set[str]:
        """Batch ids of the pending shares that stage any of ``record_ids``."""
        if not record_ids:
            return set()
        rows = self._read(
            "SELECT DISTINCT batch_id FROM batch_rows WHERE record_id = ANY(%s)",
            (list(record_ids),),
        )
        return {r[0] for r in rows}

    def discard(self, batch_id: str) -> bool:
        """Delete a pending share and its rows; False when there was none."""
        with self._db.transaction(), _translated(self._db.url):
            self._db.execute("DELETE FROM batch_rows WHERE batch_id = %s", (batch_id,))
            cur = self._db.execute("DELETE FROM batch_shares WHERE batch_id = %s", (batch_id,))
            return bool(cur.rowcount)

    def decide(self, decision: BatchDecision) -> str:
        """Store ``decision`` unless the batch already has one; return the stored outcome."""
        with self._db.transaction(), _translated(self._db.url):
            self._db.execute(
                "INSERT INTO batch_decisions (batch_id, outcome, regions, decided_at) "
                "VALUES (%s, %s, %s, %s) ON CONFLICT (batch_id) DO NOTHING",
                (
                    decision.batch_id,
                    decision.outcome,
                    ",".join(decision.regions),
                    decision.decided_at,
                ),
            )
            row = self._db.execute(
                "SELECT outcome FROM batch_decisions WHERE batch_id = %s", (decision.batch_id,)
            ).fetchone()
        return str(row[0])

    def decision(self, batch_id: str) -> BatchDecision | None:
        """The decision stored for ``batch_id``, or None."""
        rows = self._read(
            "SELECT batch_id, outcome, regions, decided_at FROM batch_decisions "
            "WHERE batch_id = %s",
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
            cur = self._db.execute("DELETE FROM batch_decisions WHERE batch_id = %s", (batch_id,))
            return bool(cur.rowcount)
