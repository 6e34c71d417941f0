"""PostgreSQL batch store: pending shares of cross-region batches and their commit decisions.

The SQL is ``onshore.adapters.sql.batches``; this module holds PostgreSQL's schema. The
three tables are the schema addition of the atomic batch commit; ``SCHEMA`` is additive
DDL only.
"""

from __future__ import annotations

from typing import Any

from onshore.adapters.sql.batches import SqlBatchStore
from onshore.adapters.sql.dialect import POSTGRES


class PostgresBatchStore(SqlBatchStore):
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
        super().__init__(db, POSTGRES)
