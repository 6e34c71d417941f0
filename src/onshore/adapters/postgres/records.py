"""PostgreSQL record store: sealed records in ``records``, blind-index terms in ``record_terms``.

``record_terms`` is indexed on ``term`` with a hash index: terms are only ever looked up
by equality, and a hash index entry is a 4-byte hash code rather than the 32-byte term,
which makes loading a batch about a quarter faster than a B-tree primary key.
``records.terms`` keeps a copy of each record's terms so replacing or deleting a record
removes exactly its ``(term, record_id)`` rows through that index. The store keeps the
pairs unique itself (a batch's terms are deduplicated, old terms are removed first).
``record_id`` uses the ``C`` collation so keyset paging orders ids by code point, as the
other backends do.

``put_many`` is the write fast path: inside a savepoint it deletes the batch's records
that already exist (with their terms), then loads the batch with two binary ``COPY``
streams (records, terms). Delete-then-insert inside one transaction is an upsert; should
another connection insert one of the ids between the check and the ``COPY`` (a unique
violation), the savepoint is rolled back and the batch retried, so concurrent puts of the
same record still behave as an upsert.

Categories are JSON text and the terms copy a length-prefixed blob rather than arrays:
psycopg dumps arrays in Python, which halves the speed of ``COPY``. Every column is a
plain type whose binary form psycopg picks from the Python value, so ``COPY`` needs no
``set_types`` (whose ``bytea`` dumper is a slow pure-Python one).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import psycopg
from psycopg import errors as pg_errors

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
_PAGE = 500
_RETRIES = 3


def _row(record: SealedRecord) -> tuple[Any, ...]:
    return (
        record.record_id,
        record.region,
        record.subject_ref,
        record.kind,
        record.created_at,
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
def _translated() -> Iterator[None]:
    """Turn psycopg errors into the onshore error tree."""
    try:
        yield
    except (psycopg.IntegrityError, psycopg.DataError) as exc:
        raise StoreIntegrityError(
            "the PostgreSQL store refused the write",
            details={"reason": type(exc).__name__, "sqlstate": exc.sqlstate},
        ) from exc
    except psycopg.OperationalError as exc:
        raise StoreUnavailable(
            "the PostgreSQL store is unavailable", details={"reason": type(exc).__name__}
        ) from exc
    except psycopg.Error as exc:
        raise StoreError(
            "the PostgreSQL store failed",
            details={"reason": type(exc).__name__, "sqlstate": exc.sqlstate},
        ) from exc


class PostgresRecordStore:
    """Sealed records in the region's PostgreSQL database (psycopg 3)."""

    SCHEMA = """
    CREATE TABLE IF NOT EXISTS records (
        record_id TEXT COLLATE "C" PRIMARY KEY CHECK (record_id <> ''),
        region TEXT NOT NULL,
        subject_ref BYTEA NOT NULL,
        kind TEXT NOT NULL,
        created_at TIMESTAMPTZ NOT NULL,
        categories TEXT NOT NULL,
        key_id TEXT NOT NULL,
        wrapped_key BYTEA NOT NULL,
        nonce BYTEA NOT NULL,
        ciphertext BYTEA NOT NULL,
        terms BYTEA NOT NULL
    );
    CREATE INDEX IF NOT EXISTS records_by_subject ON records (subject_ref, created_at, record_id);
    CREATE TABLE IF NOT EXISTS record_terms (
        term BYTEA NOT NULL,
        record_id TEXT COLLATE "C" NOT NULL
    );
    CREATE INDEX IF NOT EXISTS record_terms_by_term ON record_terms USING hash (term)
    """

    def __init__(self, db: Any) -> None:
        self._db = db

    def _remove(self, record_ids: Sequence[str]) -> list[str]:
        """Delete these records (those that exist) with their terms; return the ids removed."""
        with self._db.conn.cursor() as cur:
            cur.execute(
                "DELETE FROM records WHERE record_id = ANY(%s) RETURNING record_id, terms",
                (list(record_ids),),
            )
            gone = cur.fetchall()
            pairs = [(t, rid) for rid, blob in gone for t in unpack_terms(bytes(blob))]
            if pairs:
                cur.executemany(
                    "DELETE FROM record_terms WHERE term = %s AND record_id = %s", pairs
                )
        return [rid for rid, _ in gone]

    def _load(self, batch: Sequence[SealedRecord]) -> None:
        with self._db.conn.cursor() as cur:
            with cur.copy(f"COPY records ({_COLUMNS}) FROM STDIN (FORMAT BINARY)") as copy:
                for record in batch:
                    copy.write_row(_row(record))
            if any(r.index_terms for r in batch):
                with cur.copy(
                    "COPY record_terms (term, record_id) FROM STDIN (FORMAT BINARY)"
                ) as copy:
                    for record in batch:
                        for t in record.index_terms:
                            copy.write_row((t, record.record_id))

    def put(self, record: SealedRecord) -> None:
        """Insert or replace by ``record_id``."""
        self.put_many((record,))

    def put_many(self, records: Sequence[SealedRecord]) -> None:
        """Insert or replace many in one transaction: all of them or none."""
        batch = checked_batch(records) if len(records) != 1 else [checked(records[0])]
        if not batch:
            return
        with self._db.transaction(), _translated():
            for attempt in range(_RETRIES):
                try:
                    with self._db.transaction():
                        self._remove([r.record_id for r in batch])
                        self._load(batch)
                    return
                except pg_errors.UniqueViolation:
                    if attempt == _RETRIES - 1:
                        raise

    def get(self, record_id: str) -> SealedRecord | None:
        """The record, or None."""
        with self._db.reading(), _translated():
            row = self._db.execute(f"{_SELECT} WHERE record_id = %s", (record_id,)).fetchone()
        return None if row is None else _record(row)

    def find(self, term: bytes) -> list[SealedRecord]:
        """Records carrying blind-index ``term``, oldest first."""
        sql = (
            f"{_SELECT} WHERE record_id IN "
            "(SELECT record_id FROM record_terms WHERE term = %s) "
            "ORDER BY created_at, record_id"
        )
        with self._db.reading(), _translated():
            rows = self._db.execute(sql, (term,)).fetchall()
        return [_record(r) for r in rows]

    def delete(self, record_id: str) -> bool:
        """Remove a record and its index terms; False when it was not there."""
        with self._db.transaction(), _translated():
            return bool(self._remove([record_id]))

    def by_subject(self, subject_ref: bytes) -> Iterator[SealedRecord]:
        """The subject's records, oldest first (fetched in pages; no cursor held between)."""
        first = f"{_SELECT} WHERE subject_ref = %s ORDER BY created_at, record_id LIMIT %s"
        more = (
            f"{_SELECT} WHERE subject_ref = %s AND (created_at, record_id) > (%s, %s) "
            "ORDER BY created_at, record_id LIMIT %s"
        )
        position: tuple[Any, ...] | None = None
        while True:
            with self._db.reading(), _translated():
                if position is None:
                    rows = self._db.execute(first, (subject_ref, _PAGE)).fetchall()
                else:
                    rows = self._db.execute(more, (subject_ref, *position, _PAGE)).fetchall()
            yield from (_record(r) for r in rows)
            if len(rows) < _PAGE:
                return
            position = (rows[-1][4], rows[-1][0])

    def count(self) -> int:
        """How many records the store holds."""
        with self._db.reading(), _translated():
            return int(self._db.execute("SELECT COUNT(*) FROM records").fetchone()[0])

    def iter_record_ids(self, page_size: int = 10_000) -> Iterator[str]:
        """Every record id, ascending, ``page_size`` at a time (keyset paging on the key)."""
        after = ""
        while True:
            with self._db.reading(), _translated():
                rows = self._db.execute(
                    "SELECT record_id FROM records WHERE record_id > %s "
                    "ORDER BY record_id LIMIT %s",
                    (after, page_size),
                ).fetchall()
            yield from (str(r[0]) for r in rows)
            if len(rows) < page_size:
                return
            after = str(rows[-1][0])

    def page(self, after: str | None, limit: int) -> list[SealedRecord]:
        """Up to ``limit`` records with ``record_id > after``, ordered by id (keyset paging)."""
        if limit < 0:
            raise InputError("page limit must not be negative", details={"limit": limit})
        with self._db.reading(), _translated():
            if after is None:
                rows = self._db.execute(
                    f"{_SELECT} ORDER BY record_id LIMIT %s", (limit,)
                ).fetchall()
            else:
                rows = self._db.execute(
                    f"{_SELECT} WHERE record_id > %s ORDER BY record_id LIMIT %s", (after, limit)
                ).fetchall()
        return [_record(r) for r in rows]

    def rewrap(self, record_id: str, key_id: str, wrapped_key: bytes) -> None:
        """Replace a record's wrapped data key; ``RecordNotFound`` when it is not there."""
        self.rewrap_many([(record_id, key_id, wrapped_key)])

    def rewrap_many(self, items: Sequence[tuple[str, str, bytes]]) -> None:
        """Re-wrap many records in one transaction: ``(record_id, key_id, wrapped_key)`` each.

        Raises ``RecordNotFound`` (and changes nothing) when any record is missing.
        """
        if not items:
            return
        with self._db.transaction(), _translated(), self._db.conn.cursor() as cur:
            cur.execute(
                "UPDATE records AS r SET key_id = u.key_id, wrapped_key = u.wrapped_key "
                "FROM unnest(%s::text[], %s::text[], %s::bytea[]) AS u(record_id, key_id, "
                "wrapped_key) WHERE r.record_id = u.record_id RETURNING r.record_id",
                (
                    [i[0] for i in items],
                    [i[1] for i in items],
                    [i[2] for i in items],
                ),
            )
            done = {row[0] for row in cur.fetchall()}
            missing = [i[0] for i in items if i[0] not in done]
            if missing:
                raise RecordNotFound(
                    "no such record in this store", details={"record_id": missing[0]}
                )

    def existing(self, record_ids: Sequence[str]) -> set[str]:
        """Which of ``record_ids`` the store holds (one query)."""
        if not record_ids:
            return set()
        with self._db.reading(), _translated():
            rows = self._db.execute(
                "SELECT record_id FROM records WHERE record_id = ANY(%s)", (list(record_ids),)
            ).fetchall()
        return {row[0] for row in rows}
