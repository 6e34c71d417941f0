"""SQLite record store: sealed records in ``records``, blind-index terms in ``record_terms``.

The SQL is ``onshore.adapters.sql.records``; this module holds SQLite's schema and write
path. ``record_terms`` is keyed ``(term, record_id)`` with no second index: replacing or
deleting a record removes exactly its rows (``records.terms`` keeps a copy of them) by
primary key. ``created_at`` is ISO 8601 text in UTC with microseconds (fixed width, so it
sorts). ``put_many`` is three ``executemany`` calls in one transaction: old terms out,
records upserted, new terms in.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from onshore.adapters.record_rows import COLUMNS, record_row, unpack_terms
from onshore.adapters.sql.dialect import SQLITE
from onshore.adapters.sql.records import SqlRecordStore
from onshore.ports import SealedRecord

_UPSERT = (
    f"INSERT INTO records ({COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
    "ON CONFLICT (record_id) DO UPDATE SET region = excluded.region, "
    "subject_ref = excluded.subject_ref, kind = excluded.kind, "
    "created_at = excluded.created_at, categories = excluded.categories, "
    "key_id = excluded.key_id, wrapped_key = excluded.wrapped_key, nonce = excluded.nonce, "
    "ciphertext = excluded.ciphertext, terms = excluded.terms"
)
_INSERT_TERM = "INSERT OR IGNORE INTO record_terms (term, record_id) VALUES (?, ?)"
_DELETE_TERM = "DELETE FROM record_terms WHERE term = ? AND record_id = ?"


class SqliteRecordStore(SqlRecordStore):
    """Sealed records in the region's SQLite file.

    Example:
        >>> import tempfile, pathlib
        >>> from onshore.adapters.sqlite.database import SqliteDatabase
        >>> d = pathlib.Path(tempfile.mkdtemp())
        >>> db = SqliteDatabase("sqlite:///r.db", d / "r.db")
        >>> db.records.count()
        0
        >>> db.close()
    """

    SCHEMA = """
    CREATE TABLE IF NOT EXISTS records (
        record_id TEXT NOT NULL UNIQUE CHECK (record_id <> ''),
        region TEXT NOT NULL,
        subject_ref BLOB NOT NULL,
        kind TEXT NOT NULL,
        created_at TEXT NOT NULL,
        categories TEXT NOT NULL,
        key_id TEXT NOT NULL,
        wrapped_key BLOB NOT NULL,
        nonce BLOB NOT NULL,
        ciphertext BLOB NOT NULL,
        terms BLOB NOT NULL
    );
    CREATE INDEX IF NOT EXISTS records_by_subject ON records (subject_ref, created_at, record_id);
    CREATE TABLE IF NOT EXISTS record_terms (
        term BLOB NOT NULL,
        record_id TEXT NOT NULL,
        PRIMARY KEY (term, record_id)
    ) WITHOUT ROWID
    """

    def __init__(self, db: Any) -> None:
        super().__init__(db, SQLITE)

    def _old_terms(self, record_ids: list[str]) -> list[tuple[bytes, str]]:
        pairs: list[tuple[bytes, str]] = []
        for chunk in self._chunks(record_ids):
            condition, params = self._d.any_of("record_id", chunk)
            rows = self._db.conn.execute(
                f"SELECT record_id, terms FROM records WHERE {condition}", params
            )
            for record_id, blob in rows:
                pairs.extend((t, record_id) for t in unpack_terms(bytes(blob)))
        return pairs

    def _write(self, batch: Sequence[SealedRecord]) -> None:
        conn = self._db.conn
        old = self._old_terms([r.record_id for r in batch])
        if old:
            conn.executemany(_DELETE_TERM, old)
        # created_at is UTC already (checked): its fixed-width text is the stamp
        conn.executemany(
            _UPSERT,
            [record_row(r, r.created_at.isoformat(timespec="microseconds")) for r in batch],
        )
        conn.executemany(_INSERT_TERM, [(t, r.record_id) for r in batch for t in r.index_terms])

    def _delete(self, record_id: str) -> bool:
        old = self._old_terms([record_id])
        if old:
            self._db.conn.executemany(_DELETE_TERM, old)
        cur = self._db.conn.execute("DELETE FROM records WHERE record_id = ?", (record_id,))
        return bool(cur.rowcount)
