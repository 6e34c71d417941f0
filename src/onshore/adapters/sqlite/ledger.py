"""SQLite ledger store: the region's ledger in its SQLite file.

The SQL is ``onshore.adapters.sql.ledger``; this module holds SQLite's schema. A write
transaction (``BEGIN IMMEDIATE``) already excludes other writers, so appends take no lock
of their own; they are one ``executemany``.
"""

from __future__ import annotations

from typing import Any

from onshore.adapters.sql.dialect import SQLITE
from onshore.adapters.sql.ledger import SqlLedgerStore


class SqliteLedgerStore(SqlLedgerStore):
    """The ledger tables of one region's SQLite database.

    Example:
        >>> import tempfile, pathlib
        >>> from onshore.adapters import open_database
        >>> d = pathlib.Path(tempfile.mkdtemp())
        >>> db = open_database(f"sqlite:///{d}/x.db")
        >>> with db.transaction():
        ...     db.ledger.append([b"e"], [bytes(32)])
        0
        >>> db.ledger.size()
        1
        >>> db.close()
    """

    SCHEMA = """
    CREATE TABLE IF NOT EXISTS ledger_leaves (
        idx INTEGER PRIMARY KEY,
        entry BLOB NOT NULL,
        leaf_hash BLOB NOT NULL
    );
    CREATE TABLE IF NOT EXISTS ledger_payloads (
        commitment BLOB PRIMARY KEY,
        body BLOB NOT NULL
    ) WITHOUT ROWID;
    CREATE TABLE IF NOT EXISTS ledger_refs (
        ref BLOB NOT NULL,
        idx INTEGER NOT NULL,
        PRIMARY KEY (ref, idx)
    ) WITHOUT ROWID;
    CREATE TABLE IF NOT EXISTS ledger_tiles (
        level INTEGER NOT NULL,
        idx INTEGER NOT NULL,
        hashes BLOB NOT NULL,
        PRIMARY KEY (level, idx)
    ) WITHOUT ROWID;
    CREATE TABLE IF NOT EXISTS ledger_checkpoints (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        size INTEGER NOT NULL,
        root BLOB NOT NULL,
        note BLOB NOT NULL,
        key_id TEXT NOT NULL,
        at TEXT NOT NULL
    );
    CREATE TABLE IF NOT EXISTS ledger_meta (
        name TEXT PRIMARY KEY,
        value INTEGER NOT NULL
    )
    """

    def __init__(self, db: Any) -> None:
        super().__init__(db, SQLITE)
