"""PostgreSQL audit log store (the ledger issue extends it to its full contract)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


class PostgresAuditLogStore:
    """Leaves in table ``ledger_leaves``."""

    SCHEMA = """
    CREATE TABLE IF NOT EXISTS ledger_leaves (
        idx BIGINT PRIMARY KEY,
        entry BYTEA NOT NULL,
        leaf_hash BYTEA NOT NULL
    )
    """

    def __init__(self, db: Any) -> None:
        self._db = db

    def append(self, entries: Sequence[bytes], leaf_hashes: Sequence[bytes]) -> int:
        """Append entries and their leaf hashes; return the first new index."""
        with self._db.transaction():
            self._db.execute("LOCK TABLE ledger_leaves IN EXCLUSIVE MODE")
            first = self.size()
            with self._db.conn.cursor() as cur:
                cur.executemany(
                    "INSERT INTO ledger_leaves (idx, entry, leaf_hash) VALUES (%s, %s, %s)",
                    [(first + i, e, h) for i, (e, h) in enumerate(zip(entries, leaf_hashes, strict=True))],
                )
            return first

    def size(self) -> int:
        """Number of leaves."""
        row = self._db.execute("SELECT COUNT(*) FROM ledger_leaves").fetchone()
        return int(row[0])
