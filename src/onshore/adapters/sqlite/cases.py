"""SQLite case store: ``cases``, ``case_events`` (append-only) and ``legal_holds``.

The SQL is ``adapters.sql.cases``; this module holds the schema. Timestamps are fixed-width
ISO 8601 text in UTC (so they sort as text); ``data`` and ``note`` are JSON text. The store
offers no way to change or delete history rows (PostgreSQL also refuses it with a trigger; the
database's ``;``-split schema loader cannot carry SQLite trigger bodies).
"""

from __future__ import annotations

from typing import Any

from onshore.adapters.sql.cases import SqlCaseStore
from onshore.adapters.sql.dialect import SQLITE


class SqliteCaseStore(SqlCaseStore):
    """Cases in the region's SQLite file.

    Example:
        >>> import tempfile, pathlib
        >>> from onshore.adapters.sqlite.database import SqliteDatabase
        >>> db = SqliteDatabase("sqlite:///c.db", pathlib.Path(tempfile.mkdtemp()) / "c.db")
        >>> db.cases.counts()
        {}
        >>> db.close()
    """

    SCHEMA = """
    CREATE TABLE IF NOT EXISTS cases (
        case_id TEXT PRIMARY KEY,
        kind TEXT NOT NULL,
        state TEXT NOT NULL,
        region TEXT NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        due_at TEXT,
        data TEXT NOT NULL,
        version INTEGER NOT NULL CHECK (version >= 1)
    );
    CREATE INDEX IF NOT EXISTS cases_by_due ON cases (due_at, case_id) WHERE due_at IS NOT NULL;
    CREATE INDEX IF NOT EXISTS cases_by_kind ON cases (kind, state);
    CREATE INDEX IF NOT EXISTS cases_by_created ON cases (created_at);
    CREATE TABLE IF NOT EXISTS case_events (
        case_id TEXT NOT NULL REFERENCES cases (case_id),
        seq INTEGER NOT NULL CHECK (seq >= 1),
        at TEXT NOT NULL,
        actor TEXT NOT NULL,
        role TEXT NOT NULL,
        action TEXT NOT NULL,
        from_state TEXT NOT NULL,
        to_state TEXT NOT NULL,
        note TEXT NOT NULL,
        PRIMARY KEY (case_id, seq)
    ) WITHOUT ROWID;
    CREATE TABLE IF NOT EXISTS legal_holds (
        subject_ref BLOB NOT NULL,
        case_id TEXT NOT NULL REFERENCES cases (case_id),
        placed_at TEXT NOT NULL,
        expires_at TEXT NOT NULL,
        extended INTEGER NOT NULL DEFAULT 0,
        released_at TEXT,
        PRIMARY KEY (case_id, subject_ref)
    ) WITHOUT ROWID;
    CREATE INDEX IF NOT EXISTS legal_holds_by_subject ON legal_holds (subject_ref)
    """

    def __init__(self, db: Any) -> None:
        super().__init__(db, SQLITE)
