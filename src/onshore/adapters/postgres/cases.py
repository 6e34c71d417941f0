"""PostgreSQL case store: ``cases``, ``case_events`` (append-only, by trigger), ``legal_holds``.

``data`` and ``note`` are ``jsonb``; timestamps are ``timestamptz``. ``update`` is a
compare-and-set on ``version`` (``UPDATE ... WHERE version = $expected``), which is what
makes concurrent API replicas safe: the loser gets ``CaseConflict`` and re-reads.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any

import psycopg

from onshore.adapters.case_rows import (
    checked_case,
    checked_event,
    checked_hold,
    checked_listing,
    decode_cursor,
    encode_cursor,
    to_json,
    utc,
)
from onshore.core.errors import (
    CaseConflict,
    CaseNotFound,
    StoreError,
    StoreIntegrityError,
    StoreUnavailable,
)
from onshore.ports import Case, CaseEvent, CasePage, LegalHold

_CASE_COLUMNS = "case_id, kind, state, region, created_at, updated_at, due_at, data, version"
_EVENT_COLUMNS = "case_id, seq, at, actor, role, action, from_state, to_state, note"
_HOLD_COLUMNS = "subject_ref, case_id, placed_at, expires_at, extended, released_at"


def _case(row: Sequence[Any]) -> Case:
    return Case(row[0], row[1], row[2], row[3], utc(row[4]), utc(row[5]),
                utc(row[6]) if row[6] is not None else None, row[7], row[8])  # fmt: skip


def _event(row: Sequence[Any]) -> CaseEvent:
    return CaseEvent(row[0], row[1], utc(row[2]), row[3], row[4], row[5], row[6], row[7], row[8])


def _hold(row: Sequence[Any]) -> LegalHold:
    return LegalHold(bytes(row[0]), row[1], utc(row[2]), utc(row[3]), bool(row[4]),
                     utc(row[5]) if row[5] is not None else None)  # fmt: skip


@contextmanager
def _translated() -> Iterator[None]:
    try:
        yield
    except (psycopg.IntegrityError, psycopg.DataError) as exc:
        raise StoreIntegrityError(
            "the PostgreSQL store refused the write",
            details={"reason": type(exc).__name__, "sqlstate": exc.sqlstate},
        ) from exc
    except psycopg.OperationalError as exc:
        raise StoreUnavailable("the PostgreSQL store is unavailable") from exc
    except psycopg.Error as exc:
        raise StoreError(
            "the PostgreSQL store failed", details={"reason": type(exc).__name__}
        ) from exc


class PostgresCaseStore:
    """Cases in the region's PostgreSQL database."""

    SCHEMA = """
    CREATE TABLE IF NOT EXISTS cases (
        case_id text COLLATE "C" PRIMARY KEY,
        kind text NOT NULL,
        state text NOT NULL,
        region text NOT NULL,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL,
        due_at timestamptz,
        data jsonb NOT NULL,
        version bigint NOT NULL CHECK (version >= 1)
    );
    CREATE INDEX IF NOT EXISTS cases_by_due ON cases (due_at, case_id) WHERE due_at IS NOT NULL;
    CREATE INDEX IF NOT EXISTS cases_by_kind ON cases (kind, state);
    CREATE INDEX IF NOT EXISTS cases_by_created ON cases (created_at);
    CREATE TABLE IF NOT EXISTS case_events (
        case_id text COLLATE "C" NOT NULL REFERENCES cases (case_id),
        seq integer NOT NULL CHECK (seq >= 1),
        at timestamptz NOT NULL,
        actor text NOT NULL,
        role text NOT NULL,
        action text NOT NULL,
        from_state text NOT NULL,
        to_state text NOT NULL,
        note jsonb NOT NULL,
        PRIMARY KEY (case_id, seq)
    );
    CREATE OR REPLACE FUNCTION onshore_case_events_append_only() RETURNS trigger
    LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'case history is append-only'; END $$;
    CREATE OR REPLACE TRIGGER case_events_append_only BEFORE UPDATE OR DELETE ON case_events
    FOR EACH ROW EXECUTE FUNCTION onshore_case_events_append_only();
    CREATE TABLE IF NOT EXISTS legal_holds (
        subject_ref bytea NOT NULL,
        case_id text COLLATE "C" NOT NULL REFERENCES cases (case_id),
        placed_at timestamptz NOT NULL,
        expires_at timestamptz NOT NULL,
        extended boolean NOT NULL DEFAULT false,
        released_at timestamptz,
        PRIMARY KEY (case_id, subject_ref)
    );
    CREATE INDEX IF NOT EXISTS legal_holds_by_subject ON legal_holds (subject_ref)
    """

    def __init__(self, db: Any) -> None:
        self._db = db

    def _run(self, sql: str, params: Sequence[Any] = ()) -> psycopg.Cursor[Any]:
        with _translated():
            cursor: psycopg.Cursor[Any] = self._db.conn.execute(sql, params)
            return cursor

    def _exists(self, case_id: str) -> bool:
        return (
            self._run("SELECT 1 FROM cases WHERE case_id = %s", (case_id,)).fetchone() is not None
        )

    def create(self, case: Case) -> None:
        """Insert a new case; ``CaseConflict`` if the id exists."""
        c = checked_case(case)
        with self._db.transaction():
            cur = self._run(
                f"INSERT INTO cases ({_CASE_COLUMNS}) VALUES "
                "(%s, %s, %s, %s, %s, %s, %s, %s::jsonb, %s) ON CONFLICT (case_id) DO NOTHING",
                (c.case_id, c.kind, c.state, c.region, c.created_at, c.updated_at, c.due_at,
                 to_json(c.data), c.version),
            )  # fmt: skip
            if cur.rowcount != 1:
                raise CaseConflict("a case with that id exists", details={"case_id": c.case_id})

    def get(self, case_id: str) -> Case | None:
        """The case, or None."""
        with self._db.reading():
            found = self._run(
                f"SELECT {_CASE_COLUMNS} FROM cases WHERE case_id = %s", (case_id,)
            ).fetchone()
        return _case(found) if found else None

    def update(self, case: Case) -> Case:
        """Compare-and-set on ``version``; returns the stored case."""
        c = checked_case(case)
        with self._db.transaction():
            found = self._run(
                "UPDATE cases SET state = %s, updated_at = %s, due_at = %s, data = %s::jsonb, "
                "version = version + 1 WHERE case_id = %s AND version = %s "
                f"RETURNING {_CASE_COLUMNS}",
                (c.state, c.updated_at, c.due_at, to_json(c.data), c.case_id, c.version),
            ).fetchone()
            if found is not None:
                return _case(found)
            row = self._run("SELECT version FROM cases WHERE case_id = %s", (c.case_id,)).fetchone()
            if row is None:
                raise CaseNotFound("no such case", details={"case_id": c.case_id})
            raise CaseConflict(
                "the case changed since it was read",
                details={"case_id": c.case_id, "expected": c.version, "actual": row[0]},
            )

    def append_event(self, event: CaseEvent) -> None:
        """Append to the history; ``CaseConflict`` if ``seq`` is taken."""
        e = checked_event(event)
        with self._db.transaction():
            if not self._exists(e.case_id):
                raise CaseNotFound("no such case", details={"case_id": e.case_id})
            cur = self._run(
                f"INSERT INTO case_events ({_EVENT_COLUMNS}) VALUES "
                "(%s, %s, %s, %s, %s, %s, %s, %s, %s::jsonb) ON CONFLICT (case_id, seq) DO NOTHING",
                (e.case_id, e.seq, e.at, e.actor, e.role, e.action, e.from_state, e.to_state,
                 to_json(e.note)),
            )  # fmt: skip
            if cur.rowcount != 1:
                raise CaseConflict(
                    "that history entry is taken (a concurrent transition won)",
                    details={"case_id": e.case_id, "seq": e.seq},
                )

    def events(self, case_id: str) -> list[CaseEvent]:
        """The history, by ``seq``."""
        with self._db.reading():
            rows = self._run(
                f"SELECT {_EVENT_COLUMNS} FROM case_events WHERE case_id = %s ORDER BY seq",
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
            where.append("kind = %s")
            params.append(kind)
        if states is not None:
            where.append("state = ANY(%s)")
            params.append(list(states))
        if order == "due_at":
            where.append("due_at IS NOT NULL")
        if due_before is not None:
            where.append("due_at IS NOT NULL AND due_at < %s")
            params.append(utc(due_before))
        if created_from is not None:
            where.append("created_at >= %s")
            params.append(utc(created_from))
        if created_before is not None:
            where.append("created_at < %s")
            params.append(utc(created_before))
        if after is not None:
            due, case_id = decode_cursor(after, order)
            if order == "due_at":
                where.append("(due_at, case_id) > (%s, %s)")
                params.extend((due, case_id))
            else:
                where.append("case_id > %s")
                params.append(case_id)
        sort = "due_at, case_id" if order == "due_at" else "case_id"
        clause = f" WHERE {' AND '.join(where)}" if where else ""
        # case_id is COLLATE "C": byte order, as in SQLite and Python string comparison.
        sql = f"SELECT {_CASE_COLUMNS} FROM cases{clause} ORDER BY {sort} LIMIT %s"
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
            sql += " WHERE kind = %s"
            params = (kind,)
        with self._db.reading():
            rows = self._run(sql + " GROUP BY kind, state", params).fetchall()
        return {(r[0], r[1]): int(r[2]) for r in rows}

    def put_hold(self, hold: LegalHold) -> None:
        """Insert or replace the hold of ``(case_id, subject_ref)``."""
        h = checked_hold(hold)
        with self._db.transaction():
            if not self._exists(h.case_id):
                raise CaseNotFound("no such case", details={"case_id": h.case_id})
            self._run(
                f"INSERT INTO legal_holds ({_HOLD_COLUMNS}) VALUES (%s, %s, %s, %s, %s, %s) "
                "ON CONFLICT (case_id, subject_ref) DO UPDATE SET placed_at = excluded.placed_at, "
                "expires_at = excluded.expires_at, extended = excluded.extended, "
                "released_at = excluded.released_at",
                (h.subject_ref, h.case_id, h.placed_at, h.expires_at, h.extended, h.released_at),
            )

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
            where.append("case_id = %s")
            params.append(case_id)
        if subject_refs is not None:
            where.append("subject_ref = ANY(%s)")
            params.append([bytes(r) for r in subject_refs])
        if active_at is not None:
            where.append("released_at IS NULL AND expires_at > %s")
            params.append(utc(active_at))
        clause = f" WHERE {' AND '.join(where)}" if where else ""
        sql = f"SELECT {_HOLD_COLUMNS} FROM legal_holds{clause} ORDER BY case_id, subject_ref"
        with self._db.reading():
            rows = self._run(sql, params).fetchall()
        return [_hold(r) for r in rows]
