"""SQLite record store: sealed records in ``records``, blind-index terms in ``record_terms``.

``records.terms`` keeps a copy of each record's terms (length-prefixed, see
``onshore.adapters.record_rows``) so replacing or deleting a record removes exactly its
``(term, record_id)`` rows by primary key, with no second index on ``record_terms``.
``created_at`` is ISO 8601 text in UTC with microseconds (fixed width, so it sorts).
``put_many`` is three ``executemany`` calls in one transaction: old terms out, records
upserted, new terms in.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from onshore.adapters.record_rows import (
    categories_json,
    checked,
    checked_batch,
    pack_terms,
    unpack_terms,
    utc_datetime,
)
from onshore.core.errors import (
    InputError,
    RecordNotFound,
    StoreError,
    StoreIntegrityError,
    StoreUnavailable,
)
from onshore.ports import SealedRecord

_COLUMNS = (
    "record_id, region, subject_ref, kind, created_at, categories, key_id, wrapped_key, "
    "nonce, ciphertext, terms"
)
_SELECT = f"SELECT {_COLUMNS} FROM records"
_UPSERT = (
    f"INSERT INTO records ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
    "ON CONFLICT (record_id) DO UPDATE SET region = excluded.region, "
    "subject_ref = excluded.subject_ref, kind = excluded.kind, "
    "created_at = excluded.created_at, categories = excluded.categories, "
    "key_id = excluded.key_id, wrapped_key = excluded.wrapped_key, nonce = excluded.nonce, "
    "ciphertext = excluded.ciphertext, terms = excluded.terms"
)
_INSERT_TERM = "INSERT OR IGNORE INTO record_terms (term, record_id) VALUES (?, ?)"
_DELETE_TERM = "DELETE FROM record_terms WHERE term = ? AND record_id = ?"
# SQLite's default limit on host parameters is 999 in old builds, 32766 since 3.32.
_CHUNK = 900
_PAGE = 500


def _stamp(record: SealedRecord) -> str:
    return record.created_at.isoformat(timespec="microseconds")


def _row(record: SealedRecord) -> tuple[Any, ...]:
    return (
        record.record_id,
        record.region,
        record.subject_ref,
        record.kind,
        _stamp(record),
        categories_json(record.categories),
        record.key_id,
        record.wrapped_key,
        record.nonce,
        record.ciphertext,
        pack_terms(record.index_terms),
    )


def _record(row: Sequence[Any]) -> SealedRecord:
    return SealedRecord(
        record_id=row[0],
        region=row[1],
        subject_ref=bytes(row[2]),
        kind=row[3],
        created_at=utc_datetime(row[4]),
        categories=tuple(json.loads(row[5])),
        key_id=row[6],
        wrapped_key=bytes(row[7]),
        nonce=bytes(row[8]),
        ciphertext=bytes(row[9]),
        index_terms=unpack_terms(bytes(row[10])),
    )


@contextmanager
def _translated(url: str) -> Iterator[None]:
    """Turn sqlite3 errors into the onshore error tree."""
    try:
        yield
    except sqlite3.IntegrityError as exc:
        raise StoreIntegrityError(f"the SQLite store refused the write: {exc}") from exc
    except sqlite3.OperationalError as exc:
        raise StoreUnavailable(f"SQLite store {url!r} failed: {exc}") from exc
    except (sqlite3.Error, OverflowError) as exc:
        raise StoreError(f"SQLite store {url!r} failed: {exc}") from exc


class SqliteRecordStore:
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
        self._db = db

    def _old_terms(self, record_ids: Sequence[str]) -> list[tuple[bytes, str]]:
        pairs: list[tuple[bytes, str]] = []
        for start in range(0, len(record_ids), _CHUNK):
            chunk = record_ids[start : start + _CHUNK]
            marks = ",".join("?" * len(chunk))
            rows = self._db.conn.execute(
                f"SELECT record_id, terms FROM records WHERE record_id IN ({marks})", chunk
            )
            for record_id, blob in rows:
                pairs.extend((t, record_id) for t in unpack_terms(bytes(blob)))
        return pairs

    def _write(self, batch: Sequence[SealedRecord]) -> None:
        conn = self._db.conn
        old = self._old_terms([r.record_id for r in batch])
        if old:
            conn.executemany(_DELETE_TERM, old)
        conn.executemany(_UPSERT, [_row(r) for r in batch])
        conn.executemany(_INSERT_TERM, [(t, r.record_id) for r in batch for t in r.index_terms])

    def put(self, record: SealedRecord) -> None:
        """Insert or replace by ``record_id``."""
        self.put_many((record,))

    def put_many(self, records: Sequence[SealedRecord]) -> None:
        """Insert or replace many in one transaction: all of them or none."""
        batch = checked_batch(records) if len(records) != 1 else [checked(records[0])]
        if not batch:
            return
        with self._db.transaction(), _translated(self._db.url):
            self._write(batch)

    def get(self, record_id: str) -> SealedRecord | None:
        """The record, or None."""
        with self._db.reading(), _translated(self._db.url):
            row = self._db.conn.execute(f"{_SELECT} WHERE record_id = ?", (record_id,)).fetchone()
        return None if row is None else _record(row)

    def find(self, term: bytes) -> list[SealedRecord]:
        """Records carrying blind-index ``term``, oldest first."""
        sql = (
            f"{_SELECT} WHERE record_id IN (SELECT record_id FROM record_terms WHERE term = ?) "
            "ORDER BY created_at, record_id"
        )
        with self._db.reading(), _translated(self._db.url):
            rows = self._db.conn.execute(sql, (term,)).fetchall()
        return [_record(r) for r in rows]

    def delete(self, record_id: str) -> bool:
        """Remove a record and its index terms; False when it was not there."""
        with self._db.transaction(), _translated(self._db.url):
            old = self._old_terms([record_id])
            if old:
                self._db.conn.executemany(_DELETE_TERM, old)
            cur = self._db.conn.execute("DELETE FROM records WHERE record_id = ?", (record_id,))
            return bool(cur.rowcount)

    def by_subject(self, subject_ref: bytes) -> Iterator[SealedRecord]:
        """The subject's records, oldest first (fetched in pages; no cursor held between)."""
        sql = (
            f"{_SELECT} WHERE subject_ref = ? AND (created_at, record_id) > (?, ?) "
            "ORDER BY created_at, record_id LIMIT ?"
        )
        position = ("", "")
        while True:
            with self._db.reading(), _translated(self._db.url):
                rows = self._db.conn.execute(sql, (subject_ref, *position, _PAGE)).fetchall()
            yield from (_record(r) for r in rows)
            if len(rows) < _PAGE:
                return
            position = (rows[-1][4], rows[-1][0])

    def count(self) -> int:
        """How many records the store holds."""
        with self._db.reading(), _translated(self._db.url):
            return int(self._db.conn.execute("SELECT COUNT(*) FROM records").fetchone()[0])

    def iter_record_ids(self, page_size: int = 10_000) -> Iterator[str]:
        """Every record id, ascending, ``page_size`` at a time (keyset paging on the key)."""
        after: str | None = None
        while True:
            where = "" if after is None else "WHERE record_id > ? "
            params = (page_size,) if after is None else (after, page_size)
            with self._db.reading(), _translated(self._db.url):
                rows = self._db.conn.execute(
                    f"SELECT record_id FROM records {where}ORDER BY record_id LIMIT ?", params
                ).fetchall()
            yield from (str(r[0]) for r in rows)
            if len(rows) < page_size:
                return
            after = str(rows[-1][0])

    def page(self, after: str | None, limit: int) -> list[SealedRecord]:
        """Up to ``limit`` records with ``record_id > after``, ordered by id (keyset paging)."""
        if limit < 0:
            raise InputError("page limit must not be negative", details={"limit": limit})
        with self._db.reading(), _translated(self._db.url):
            if after is None:
                rows = self._db.conn.execute(
                    f"{_SELECT} ORDER BY record_id LIMIT ?", (limit,)
                ).fetchall()
            else:
                rows = self._db.conn.execute(
                    f"{_SELECT} WHERE record_id > ? ORDER BY record_id LIMIT ?", (after, limit)
                ).fetchall()
        return [_record(r) for r in rows]

    def rewrap(self, record_id: str, key_id: str, wrapped_key: bytes) -> None:
        """Replace a record's wrapped data key; ``RecordNotFound`` when it is not there."""
        self.rewrap_many([(record_id, key_id, wrapped_key)])

    def rewrap_many(self, items: Sequence[tuple[str, str, bytes]]) -> None:
        """Re-wrap many records in one transaction: ``(record_id, key_id, wrapped_key)`` each.

        Raises ``RecordNotFound`` (and changes nothing) when any record is missing.
        """
        with self._db.transaction(), _translated(self._db.url):
            for record_id, key_id, wrapped_key in items:
                cur = self._db.conn.execute(
                    "UPDATE records SET key_id = ?, wrapped_key = ? WHERE record_id = ?",
                    (key_id, wrapped_key, record_id),
                )
                if not cur.rowcount:
                    raise RecordNotFound(
                        "no such record in this store", details={"record_id": record_id}
                    )

    def existing(self, record_ids: Sequence[str]) -> set[str]:
        """Which of ``record_ids`` the store holds (one query per chunk of ids)."""
        found: set[str] = set()
        ids = list(dict.fromkeys(record_ids))
        with self._db.reading(), _translated(self._db.url):
            for start in range(0, len(ids), _CHUNK):
                chunk = ids[start : start + _CHUNK]
                marks = ",".join("?" * len(chunk))
                rows = self._db.conn.execute(
                    f"SELECT record_id FROM records WHERE record_id IN ({marks})", chunk
                )
                found.update(row[0] for row in rows)
        return found
