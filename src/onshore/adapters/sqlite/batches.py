"""SQLite batch store: pending shares of cross-region batches and their commit decisions.

The SQL is ``onshore.adapters.sql.batches``; this module holds SQLite's schema. The three
tables are the schema addition of the atomic batch commit; ``SCHEMA`` is additive DDL only.
"""

from __future__ import annotations

from typing import Any

from onshore.adapters.sql.batches import SqlBatchStore
from onshore.adapters.sql.dialect import SQLITE


class SqliteBatchStore(SqlBatchStore):
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
        super().__init__(db, SQLITE)
