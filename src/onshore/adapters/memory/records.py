"""In-memory record store: the reference implementation of ``onshore.ports.RecordStore``.

Rollback uses an undo log rather than copying the store: every change appends the
previous version of the record it touched; ``snapshot()`` is a position in that log and
``restore()`` replays it backwards to that position. The log is cleared whenever an
outermost transaction begins, so it only ever holds the changes of the open transaction.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import replace
from typing import Any

from onshore.adapters.record_rows import checked, checked_batch
from onshore.core.errors import InputError, RecordNotFound
from onshore.ports import SealedRecord

_PAGE = 500


def _age(record: SealedRecord) -> tuple[Any, str]:
    return (record.created_at, record.record_id)


class MemoryRecordStore:
    """Sealed records in dicts, with a term index and a subject index.

    Example:
        >>> from onshore.adapters.memory.database import MemoryDatabase
        >>> db = MemoryDatabase()
        >>> db.records.page(None, 10)
        []
    """

    def __init__(self, db: Any) -> None:
        self._db = db
        self._records: dict[str, SealedRecord] = {}
        self._terms: dict[bytes, set[str]] = {}
        self._subjects: dict[bytes, set[str]] = {}
        self._undo: list[tuple[str, SealedRecord | None]] = []

    # -- transactions ---------------------------------------------------------------

    def snapshot(self) -> object:
        """A position in the undo log (the log restarts with each outermost transaction)."""
        if getattr(self._db, "_depth", 0) == 0:
            self._undo.clear()
        return len(self._undo)

    def restore(self, snap: object) -> None:
        """Undo every change made since ``snap``."""
        assert isinstance(snap, int)
        while len(self._undo) > snap:
            record_id, previous = self._undo.pop()
            self._unlink(record_id)
            if previous is not None:
                self._link(previous)

    # -- index upkeep -----------------------------------------------------------------

    def _link(self, record: SealedRecord) -> None:
        self._records[record.record_id] = record
        for t in record.index_terms:
            self._terms.setdefault(t, set()).add(record.record_id)
        self._subjects.setdefault(record.subject_ref, set()).add(record.record_id)

    def _unlink(self, record_id: str) -> SealedRecord | None:
        old = self._records.pop(record_id, None)
        if old is None:
            return None
        for t in old.index_terms:
            ids = self._terms.get(t)
            if ids is not None:
                ids.discard(record_id)
                if not ids:
                    del self._terms[t]
        ids = self._subjects.get(old.subject_ref)
        if ids is not None:
            ids.discard(record_id)
            if not ids:
                del self._subjects[old.subject_ref]
        return old

    def _replace(self, record: SealedRecord) -> None:
        old = self._unlink(record.record_id)
        self._undo.append((record.record_id, old))
        self._link(record)

    # -- the port -----------------------------------------------------------------------

    def put(self, record: SealedRecord) -> None:
        """Insert or replace by ``record_id``."""
        record = checked(record)
        with self._db.transaction():
            self._replace(record)

    def put_many(self, records: Sequence[SealedRecord]) -> None:
        """Insert or replace many, all or none."""
        batch = checked_batch(records)
        with self._db.transaction():
            for record in batch:
                self._replace(record)

    def get(self, record_id: str) -> SealedRecord | None:
        """The record, or None."""
        with self._db.reading():
            return self._records.get(record_id)

    def find(self, term: bytes) -> list[SealedRecord]:
        """Records carrying ``term``, oldest first."""
        with self._db.reading():
            ids = self._terms.get(term, ())
            return sorted((self._records[i] for i in ids), key=_age)

    def delete(self, record_id: str) -> bool:
        """Remove a record and its terms; False when it was not there."""
        with self._db.transaction():
            old = self._unlink(record_id)
            if old is None:
                return False
            self._undo.append((record_id, old))
            return True

    def by_subject(self, subject_ref: bytes) -> Iterator[SealedRecord]:
        """The subject's records, oldest first."""
        with self._db.reading():
            ids = self._subjects.get(subject_ref, ())
            found = sorted((self._records[i] for i in ids), key=_age)
        yield from found

    def count(self) -> int:
        """How many records the store holds."""
        with self._db.reading():
            return len(self._records)

    def count_subjects(self) -> int:
        """How many distinct subjects the records belong to."""
        with self._db.reading():
            return len({r.subject_ref for r in self._records.values()})

    def iter_record_ids(self, page_size: int = 10_000) -> Iterator[str]:
        """Every record id, ascending (a sorted copy, taken ``page_size`` at a time)."""
        with self._db.reading():
            ids = sorted(self._records)
        for start in range(0, len(ids), max(1, page_size)):
            yield from ids[start : start + max(1, page_size)]

    def page(self, after: str | None, limit: int) -> list[SealedRecord]:
        """Up to ``limit`` records with ``record_id > after``, by id."""
        if limit < 0:
            raise InputError("page limit must not be negative", details={"limit": limit})
        with self._db.reading():
            ids = sorted(i for i in self._records if after is None or i > after)[:limit]
            return [self._records[i] for i in ids]

    def rewrap(self, record_id: str, key_id: str, wrapped_key: bytes) -> None:
        """Replace a record's wrapped data key; ``RecordNotFound`` when it is not there."""
        self.rewrap_many([(record_id, key_id, wrapped_key)])

    def rewrap_many(self, items: Sequence[tuple[str, str, bytes]]) -> None:
        """Re-wrap many records in one transaction: ``(record_id, key_id, wrapped_key)`` each.

        Raises ``RecordNotFound`` (and changes nothing) when any record is missing.
        """
        with self._db.transaction():
            for record_id, key_id, wrapped_key in items:
                old = self._records.get(record_id)
                if old is None:
                    raise RecordNotFound(
                        "no such record in this store", details={"record_id": record_id}
                    )
                self._replace(replace(old, key_id=key_id, wrapped_key=wrapped_key))

    def existing(self, record_ids: Sequence[str]) -> set[str]:
        """Which of ``record_ids`` the store holds."""
        with self._db.reading():
            return {i for i in record_ids if i in self._records}
