"""PostgreSQL record store: sealed records in ``records``, blind-index terms in ``record_terms``.

The SQL is ``onshore.adapters.sql.records``; this module holds PostgreSQL's schema and its
write fast paths.

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
same record still behave as an upsert. ``rewrap_many`` is one ``UPDATE ... FROM unnest``.

Categories are JSON text and the terms copy a length-prefixed blob rather than arrays:
psycopg dumps arrays in Python, which halves the speed of ``COPY``. Every column is a
plain type whose binary form psycopg picks from the Python value, so ``COPY`` needs no
``set_types`` (whose ``bytea`` dumper is a slow pure-Python one).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from psycopg import errors as pg_errors

from onshore.adapters.record_rows import COLUMNS, record_row, unpack_terms
from onshore.adapters.sql.dialect import POSTGRES
from onshore.adapters.sql.records import SqlRecordStore
from onshore.core.errors import RecordNotFound
from onshore.ports import SealedRecord

_RETRIES = 3


class PostgresRecordStore(SqlRecordStore):
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
        super().__init__(db, POSTGRES)

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
            with cur.copy(f"COPY records ({COLUMNS}) FROM STDIN (FORMAT BINARY)") as copy:
                for record in batch:
                    copy.write_row(record_row(record, record.created_at))
            if any(r.index_terms for r in batch):
                with cur.copy(
                    "COPY record_terms (term, record_id) FROM STDIN (FORMAT BINARY)"
                ) as copy:
                    for record in batch:
                        for t in record.index_terms:
                            copy.write_row((t, record.record_id))

    def _write(self, batch: Sequence[SealedRecord]) -> None:
        for attempt in range(_RETRIES):
            try:
                with self._db.transaction():
                    self._remove([r.record_id for r in batch])
                    self._load(batch)
                return
            except pg_errors.UniqueViolation:
                if attempt == _RETRIES - 1:
                    raise

    def _delete(self, record_id: str) -> bool:
        return bool(self._remove([record_id]))

    def rewrap_many(self, items: Sequence[tuple[str, str, bytes]]) -> None:
        """Re-wrap many records in one transaction: ``(record_id, key_id, wrapped_key)`` each.

        Raises ``RecordNotFound`` (and changes nothing) when any record is missing.
        """
        if not items:
            return
        with self._db.transaction(), self._translated(), self._db.conn.cursor() as cur:
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
