"""The record store in neutral SQL: sealed records in ``records``, blind-index terms in
``record_terms``, over SQLite or PostgreSQL (``adapters.sql.dialect``).

``records.terms`` keeps a copy of each record's terms (length-prefixed, see
``onshore.adapters.record_rows``) so replacing or deleting a record removes exactly its
``(term, record_id)`` rows. Reads, paging, re-wrapping and membership are written once
here; the write paths are the backends' own (``_write`` and ``_delete``: SQLite's
``executemany`` calls, PostgreSQL's binary ``COPY``), as is the schema DDL.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager
from typing import Any

from onshore.adapters.record_rows import COLUMNS, checked, checked_batch, sealed_record
from onshore.adapters.sql.dialect import Dialect
from onshore.core.errors import InputError, RecordNotFound
from onshore.ports import SealedRecord

_SELECT = f"SELECT {COLUMNS} FROM records"
_PAGE = 500


class SqlRecordStore:
    """Sealed records in a region's SQL database; ``db`` is the region database handle.

    Subclasses (``SqliteRecordStore``, ``PostgresRecordStore``) hold the schema and the
    write paths ``_write(batch)`` and ``_delete(record_id)``. Every method joins the
    database's open transaction; driver errors become ``Store*`` errors.
    """

    def __init__(self, db: Any, dialect: Dialect) -> None:
        self._db = db
        self._d = dialect

    def _translated(self) -> AbstractContextManager[None]:
        return self._d.translated(self._db.url)

    def _execute(self, sql: str, params: Sequence[Any] = ()) -> Any:
        return self._db.execute(self._d.sql(sql), tuple(params))

    def _chunks(self, values: list[str]) -> Iterator[list[str]]:
        size = self._d.chunk or max(len(values), 1)
        for start in range(0, len(values), size):
            yield values[start : start + size]

    def _write(self, batch: Sequence[SealedRecord]) -> None:
        """Insert or replace a checked, deduplicated batch (inside the open transaction)."""
        raise NotImplementedError

    def _delete(self, record_id: str) -> bool:
        """Remove a record and its terms (inside the open transaction); False when absent."""
        raise NotImplementedError

    def put(self, record: SealedRecord) -> None:
        """Insert or replace by ``record_id``."""
        self.put_many((record,))

    def put_many(self, records: Sequence[SealedRecord]) -> None:
        """Insert or replace many in one transaction: all of them or none."""
        batch = checked_batch(records) if len(records) != 1 else [checked(records[0])]
        if not batch:
            return
        with self._db.transaction(), self._translated():
            self._write(batch)

    def get(self, record_id: str) -> SealedRecord | None:
        """The record, or None."""
        with self._db.reading(), self._translated():
            row = self._execute(f"{_SELECT} WHERE record_id = ?", (record_id,)).fetchone()
        return None if row is None else sealed_record(row)

    def find(self, term: bytes) -> list[SealedRecord]:
        """Records carrying blind-index ``term``, oldest first."""
        sql = (
            f"{_SELECT} WHERE record_id IN (SELECT record_id FROM record_terms WHERE term = ?) "
            "ORDER BY created_at, record_id"
        )
        with self._db.reading(), self._translated():
            rows = self._execute(sql, (term,)).fetchall()
        return [sealed_record(r) for r in rows]

    def delete(self, record_id: str) -> bool:
        """Remove a record and its index terms; False when it was not there."""
        with self._db.transaction(), self._translated():
            return self._delete(record_id)

    def by_subject(self, subject_ref: bytes) -> Iterator[SealedRecord]:
        """The subject's records, oldest first (fetched in pages; no cursor held between)."""
        first = f"{_SELECT} WHERE subject_ref = ? ORDER BY created_at, record_id LIMIT ?"
        more = (
            f"{_SELECT} WHERE subject_ref = ? AND (created_at, record_id) > (?, ?) "
            "ORDER BY created_at, record_id LIMIT ?"
        )
        position: tuple[Any, ...] | None = None
        while True:
            with self._db.reading(), self._translated():
                if position is None:
                    rows = self._execute(first, (subject_ref, _PAGE)).fetchall()
                else:
                    rows = self._execute(more, (subject_ref, *position, _PAGE)).fetchall()
            yield from (sealed_record(r) for r in rows)
            if len(rows) < _PAGE:
                return
            position = (rows[-1][4], rows[-1][0])

    def count(self) -> int:
        """How many records the store holds."""
        with self._db.reading(), self._translated():
            return int(self._execute("SELECT COUNT(*) FROM records").fetchone()[0])

    def count_subjects(self) -> int:
        """How many distinct subjects the records belong to (the subject index, no decryption)."""
        sql = "SELECT COUNT(*) FROM (SELECT DISTINCT subject_ref FROM records) AS s"
        with self._db.reading(), self._translated():
            return int(self._execute(sql).fetchone()[0])

    def iter_record_ids(self, page_size: int = 10_000) -> Iterator[str]:
        """Every record id, ascending, ``page_size`` at a time (keyset paging on the key)."""
        after: str | None = None
        while True:
            where = "" if after is None else "WHERE record_id > ? "
            params = (page_size,) if after is None else (after, page_size)
            with self._db.reading(), self._translated():
                rows = self._execute(
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
        with self._db.reading(), self._translated():
            if after is None:
                rows = self._execute(f"{_SELECT} ORDER BY record_id LIMIT ?", (limit,)).fetchall()
            else:
                rows = self._execute(
                    f"{_SELECT} WHERE record_id > ? ORDER BY record_id LIMIT ?", (after, limit)
                ).fetchall()
        return [sealed_record(r) for r in rows]

    def rewrap(self, record_id: str, key_id: str, wrapped_key: bytes) -> None:
        """Replace a record's wrapped data key; ``RecordNotFound`` when it is not there."""
        self.rewrap_many([(record_id, key_id, wrapped_key)])

    def rewrap_many(self, items: Sequence[tuple[str, str, bytes]]) -> None:
        """Re-wrap many records in one transaction: ``(record_id, key_id, wrapped_key)`` each.

        Raises ``RecordNotFound`` (and changes nothing) when any record is missing.
        """
        with self._db.transaction(), self._translated():
            for record_id, key_id, wrapped_key in items:
                cur = self._execute(
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
        if not record_ids:
            return found
        with self._db.reading(), self._translated():
            for chunk in self._chunks(list(dict.fromkeys(record_ids))):
                condition, params = self._d.any_of("record_id", chunk)
                rows = self._execute(f"SELECT record_id FROM records WHERE {condition}", params)
                found.update(row[0] for row in rows)
        return found
