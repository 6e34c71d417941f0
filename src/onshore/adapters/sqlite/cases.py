"""SQLite case store: ``cases``, ``case_events`` (append-only) and ``legal_holds``.

Timestamps are fixed-width ISO 8601 text in UTC (so they sort as text); ``data`` and
``note`` are JSON text. ``update`` is a compare-and-set on ``version``. The store offers no
way to change or delete history rows (PostgreSQL also refuses it with a trigger; the
database's ``;``-split schema loader cannot carry SQLite trigger bodies).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from onshore.adapters.case_rows import (
    checked_case,
    checked_event,
    checked_hold,
    checked_listing,
    decode_cursor,
    encode_cursor,
    stamp,
    to_json,
    utc,
)
from onshore.core.errors import CaseConflict, CaseNotFound, StoreError, StoreUnavailable
from onshore.ports import Case, CaseEvent, CasePage, LegalHold

_CASE_COLUMNS = "case_id, kind, state, region, created_at, updated_at, due_at, data, version"
_EVENT_COLUMNS = "case_id, seq, at, actor, role, action, from_state, to_state, note"
_HOLD_COLUMNS = "subject_ref, case_id, placed_at, expires_at, extended, released_at"


def _case(row: Sequence[Any]) -> Case:
    return Case(
        case_id=row[0],
        kind=row[1],
        state=row[2],
        region=row[3],
        created_at=utc(row[4]),
        updated_at=utc(row[5]),
        due_at=utc(row[6]) if row[6] is not None else None,
        data=json.loads(row[7]),
        version=row[8],
    )


def _event(row: Sequence[Any]) -> CaseEvent:
    return CaseEvent(row[0], row[1], utc(row[2]), row[3], row[4], row[5], row[6], row[7],
                     json.loads(row[8]))  # fmt: skip


def _hold(row: Sequence[Any]) -> LegalHold:
    return LegalHold(bytes(row[0]), row[1], utc(row[2]), utc(row[3]), bool(row[4]),
                     utc(row[5]) if row[5] is not None else None)  # fmt: skip


@contextmanager
def _translated(url: str) -> Iterator[None]:
    try:
        yield
    except sqlite3.OperationalError as exc:
        raise StoreUnavailable(f"SQLite store {url!r} failed: {exc}") from exc
    except sqlite3.Error as exc:
        raise StoreError(f"SQLite store {url!r} failed: {exc}") from exc


class SqliteCaseStore:
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
        self._db = db

    def _run(self, sql: str, params: Sequence[Any] = ()) -> sqlite3.Cursor:
        with _translated(self._db.url):
            cursor: sqlite3.Cursor = self._db.conn.execute(sql, params)
            return cursor

    def create(self, case: Case) -> None:
        """Insert a new case; ``CaseConflict`` if the id exists."""
        c = checked_case(case)
        with self._db.transaction():
            if self._run("SELECT 1 FROM cases WHERE case_id = ?", (c.case_id,)).fetchone():
                raise CaseConflict("a case with that id exists", details={"case_id": c.case_id})
            self._run(
                f"INSERT INTO cases ({_CASE_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (c.case_id, c.kind, c.state, c.region, stamp(c.created_at), stamp(c.updated_at),
                 stamp(c.due_at) if c.due_at else None, to_json(c.data), c.version),
            )  # fmt: skip

    def get(self, case_id: str) -> Case | None:
        """The case, or None."""
        with self._db.reading():
            row = self._run(f"SELECT {_CASE_COLUMNS} FROM cases WHERE case_id = ?", (case_id,))
            found = row.fetchone()
        return _case(found) if found else None

    def update(self, case: Case) -> Case:
        """Compare-and-set on ``version``; returns the stored case."""
        c = checked_case(case)
        with self._db.transaction():
            cur = self._run(
                "UPDATE cases SET state = ?, updated_at = ?, due_at = ?, data = ?, "
                "version = version + 1 WHERE case_id = ? AND version = ?",
                (c.state, stamp(c.updated_at), stamp(c.due_at) if c.due_at else None,
                 to_json(c.data), c.case_id, c.version),
            )  # fmt: skip
            if cur.rowcount != 1:
                row = self._run("SELECT version FROM cases WHERE case_id = ?", (c.case_id,))
                found = row.fetchone()
                if found is None:
                    raise CaseNotFound("no such case", details={"case_id": c.case_id})
                raise CaseConflict(
                    "the case changed since it was read",
                    details={"case_id": c.case_id, "expected": c.version, "actual": found[0]},
                )
            stored = self.get(c.case_id)
            assert stored is not None
            return stored

    def append_event(self, event: CaseEvent) -> None:
        """Append to the history; ``CaseConflict`` if ``seq`` is taken."""
        e = checked_event(event)
        with self._db.transaction():
            if not self._run("SELECT 1 FROM cases WHERE case_id = ?", (e.case_id,)).fetchone():
                raise CaseNotFound("no such case", details={"case_id": e.case_id})
            taken = "SELECT 1 FROM case_events WHERE case_id = ? AND seq = ?"
            if self._run(taken, (e.case_id, e.seq)).fetchone():
                raise CaseConflict(
                    "that history entry is taken (a concurrent transition won)",
                    details={"case_id": e.case_id, "seq": e.seq},
                )
            self._run(
                f"INSERT INTO case_events ({_EVENT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (e.case_id, e.seq, stamp(e.at), e.actor, e.role, e.action, e.from_state,
                 e.to_state, to_json(e.note)),
            )  # fmt: skip

    def events(self, case_id: str) -> list[CaseEvent]:
        """The history, by ``seq``."""
        with self._db.reading():
            rows = self._run(
                f"SELECT {_EVENT_COLUMNS} FROM case_events WHERE case_id = ? ORDER BY seq",
                (case_id,),
            ).fetchall()
        return [_event(r) for r in rows]

    def page(
        self,
        *,
        kind: str | None = None,
        states: Sequence[str] | None = None,
        due_before: datetime | None = None,
        created_from: datetime | None = None,
        created_before: datetime | None = None,
        order: str = "case_id",
        after: str | None = None,
        limit: int = 100,
    ) -> CasePage:
        """Cases matching every filter, keyset-paged."""
        checked_listing(order, limit)
        where: list[str] = []
        params: list[Any] = []
        if kind is not None:
            where.append("kind = ?")
            params.append(kind)
        if states is not None:
            if not states:
                return CasePage([], None)
            where.append(f"state IN ({','.join('?' * len(states))})")
            params.extend(states)
        if order == "due_at":
            where.append("due_at IS NOT NULL")
        if due_before is not None:
            where.append("due_at IS NOT NULL AND due_at < ?")
            params.append(stamp(due_before))
        if created_from is not None:
            where.append("created_at >= ?")
            params.append(stamp(created_from))
        if created_before is not None:
            where.append("created_at < ?")
            params.append(stamp(created_before))
        if after is not None:
            due, case_id = decode_cursor(after, order)
            if order == "due_at":
                assert due is not None
                where.append("(due_at > ? OR (due_at = ? AND case_id > ?))")
                params.extend((stamp(due), stamp(due), case_id))
            else:
                where.append("case_id > ?")
                params.append(case_id)
        sort = "due_at, case_id" if order == "due_at" else "case_id"
        clause = f" WHERE {' AND '.join(where)}" if where else ""
        sql = f"SELECT {_CASE_COLUMNS} FROM cases{clause} ORDER BY {sort} LIMIT ?"
        with self._db.reading():
            rows = self._run(sql, (*params, limit + 1)).fetchall()
        cases = [_case(r) for r in rows[:limit]]
        more = len(rows) > limit and limit > 0
        last = cases[-1] if cases else None
        cursor = encode_cursor(order, last.due_at, last.case_id) if more and last else None
        return CasePage(cases, cursor)

    def counts(self, kind: str | None = None) -> dict[tuple[str, str], int]:
        """Cases per ``(kind, state)``."""
        sql = "SELECT kind, state, COUNT(*) FROM cases"
        params: tuple[Any, ...] = ()
        if kind is not None:
            sql += " WHERE kind = ?"
            params = (kind,)
        with self._db.reading():
            rows = self._run(sql + " GROUP BY kind, state", params).fetchall()
        return {(r[0], r[1]): r[2] for r in rows}

    def put_hold(self, hold: LegalHold) -> None:
        """Insert or replace the hold of ``(case_id, subject_ref)``."""
        h = checked_hold(hold)
        with self._db.transaction():
            if not self._run("SELECT 1 FROM cases WHERE case_id = ?", (h.case_id,)).fetchone():
                raise CaseNotFound("no such case", details={"case_id": h.case_id})
            self._run(
                f"INSERT INTO legal_holds ({_HOLD_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (case_id, subject_ref) DO UPDATE SET placed_at = excluded.placed_at, "
                "expires_at = excluded.expires_at, extended = excluded.extended, "
                "released_at = excluded.released_at",
                (h.subject_ref, h.case_id, stamp(h.placed_at), stamp(h.expires_at),
                 int(h.extended), stamp(h.released_at) if h.released_at else None),
            )  # fmt: skip

    def holds(
        self,
        *,
        case_id: str | None = None,
        subject_refs: Sequence[bytes] | None = None,
        active_at: datetime | None = None,
    ) -> list[LegalHold]:
        """Holds matching every filter, by ``(case_id, subject_ref)``."""
        where: list[str] = []
        params: list[Any] = []
        if case_id is not None:
            where.append("case_id = ?")
            params.append(case_id)
        if subject_refs is not None:
            if not subject_refs:
                return []
            where.append(f"subject_ref IN ({','.join('?' * len(subject_refs))})")
            params.extend(bytes(r) for r in subject_refs)
        if active_at is not None:
            where.append("released_at IS NULL AND expires_at > ?")
            params.append(stamp(active_at))
        clause = f" WHERE {' AND '.join(where)}" if where else ""
        sql = f"SELECT {_HOLD_COLUMNS} FROM legal_holds{clause} ORDER BY case_id, subject_ref"
        with self._db.reading():
            rows = self._run(sql, params).fetchall()
        return [_hold(r) for r in rows]
