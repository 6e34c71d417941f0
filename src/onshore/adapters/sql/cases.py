"""The case store in SQL: ``cases``, ``case_events`` (append-only) and ``legal_holds``.

One implementation for SQLite and PostgreSQL (``adapters.sql.dialect`` carries what
differs; the schemas are ``SqliteCaseStore.SCHEMA`` and ``PostgresCaseStore.SCHEMA``).
``data`` and ``note`` are JSON; ``update`` is a compare-and-set on ``version``, which is
what makes concurrent API replicas safe: the loser gets ``CaseConflict`` and re-reads.
History rows are never changed or deleted (PostgreSQL also refuses it with a trigger).
Keyset order is byte order of ``case_id`` on both backends (``COLLATE "C"`` in
PostgreSQL), as in Python string comparison.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from onshore.adapters.case_rows import checked_case, checked_event, checked_hold, to_json
from onshore.adapters.sql.dialect import Dialect
from onshore.core.cases.listing import CaseQuery, cursor_after
from onshore.core.errors import CaseConflict, CaseNotFound
from onshore.ports import Case, CaseEvent, CasePage, LegalHold

_CASE_COLUMNS = "case_id, kind, state, region, created_at, updated_at, due_at, data, version"
_EVENT_COLUMNS = "case_id, seq, at, actor, role, action, from_state, to_state, note"
_HOLD_COLUMNS = "subject_ref, case_id, placed_at, expires_at, extended, released_at"


class SqlCaseStore:
    """Cases in a region's SQL database (``db``: its handle; ``dialect``: its backend's)."""

    def __init__(self, db: Any, dialect: Dialect) -> None:
        self._db = db
        self._d = dialect

    def _run(self, sql: str, params: Sequence[Any] = ()) -> Any:
        with self._d.translated(self._db.url):
            return self._d.execute(self._db.conn, sql, params)

    def _case(self, row: Sequence[Any]) -> Case:
        d = self._d
        return Case(
            case_id=row[0],
            kind=row[1],
            state=row[2],
            region=row[3],
            created_at=d.from_time(row[4]),
            updated_at=d.from_time(row[5]),
            due_at=d.from_time(row[6]),
            data=d.from_json(row[7]),
            version=row[8],
        )

    def _event(self, row: Sequence[Any]) -> CaseEvent:
        at, note = self._d.from_time(row[2]), self._d.from_json(row[8])
        return CaseEvent(row[0], row[1], at, row[3], row[4], row[5], row[6], row[7], note)

    def _hold(self, row: Sequence[Any]) -> LegalHold:
        d = self._d
        placed, expires, released = d.from_time(row[2]), d.from_time(row[3]), d.from_time(row[5])
        return LegalHold(bytes(row[0]), row[1], placed, expires, bool(row[4]), released)

    def _exists(self, case_id: str) -> bool:
        return self._run("SELECT 1 FROM cases WHERE case_id = ?", (case_id,)).fetchone() is not None

    def create(self, case: Case) -> None:
        """Insert a new case; ``CaseConflict`` if the id exists."""
        c, t, j = checked_case(case), self._d.time, self._d.json_arg
        with self._db.transaction():
            cur = self._run(
                f"INSERT INTO cases ({_CASE_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, {j}, ?) "
                "ON CONFLICT (case_id) DO NOTHING",
                (
                    *(c.case_id, c.kind, c.state, c.region),
                    *(t(c.created_at), t(c.updated_at), t(c.due_at)),
                    *(to_json(c.data), c.version),
                ),
            )
            if cur.rowcount != 1:
                raise CaseConflict("a case with that id exists", details={"case_id": c.case_id})

    def get(self, case_id: str) -> Case | None:
        """The case, or None."""
        with self._db.reading():
            sql = f"SELECT {_CASE_COLUMNS} FROM cases WHERE case_id = ?"
            found = self._run(sql, (case_id,)).fetchone()
        return self._case(found) if found else None

    def update(self, case: Case) -> Case:
        """Compare-and-set on ``version``; returns the stored case."""
        c, t, j = checked_case(case), self._d.time, self._d.json_arg
        with self._db.transaction():
            cur = self._run(
                f"UPDATE cases SET state = ?, updated_at = ?, due_at = ?, data = {j}, "
                "version = version + 1 WHERE case_id = ? AND version = ?",
                (c.state, t(c.updated_at), t(c.due_at), to_json(c.data), c.case_id, c.version),
            )
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
        e, j = checked_event(event), self._d.json_arg
        with self._db.transaction():
            if not self._exists(e.case_id):
                raise CaseNotFound("no such case", details={"case_id": e.case_id})
            cur = self._run(
                f"INSERT INTO case_events ({_EVENT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, {j}) "
                "ON CONFLICT (case_id, seq) DO NOTHING",
                (
                    *(e.case_id, e.seq, self._d.time(e.at), e.actor, e.role, e.action),
                    *(e.from_state, e.to_state, to_json(e.note)),
                ),
            )
            if cur.rowcount != 1:
                raise CaseConflict(
                    "that history entry is taken (a concurrent transition won)",
                    details={"case_id": e.case_id, "seq": e.seq},
                )

    def events(self, case_id: str) -> list[CaseEvent]:
        """The history, by ``seq``."""
        with self._db.reading():
            rows = self._run(
                f"SELECT {_EVENT_COLUMNS} FROM case_events WHERE case_id = ? ORDER BY seq",
                (case_id,),
            ).fetchall()
        return [self._event(r) for r in rows]

    def page(self, query: CaseQuery) -> CasePage:
        """Cases matching every filter of ``query``, keyset-paged."""
        q, t = query, self._d.time
        where: list[str] = []
        params: list[Any] = []
        if q.kind is not None:
            where.append("kind = ?")
            params.append(q.kind)
        if q.states is not None:
            if not q.states:
                return CasePage([], None)
            condition, values = self._d.any_of("state", q.states)
            where.append(condition)
            params.extend(values)
        if q.order == "due_at" and not q.undated:
            where.append("due_at IS NOT NULL")
        if q.undated:
            where.append("due_at IS NULL")
        for condition, bound in (
            ("due_at IS NOT NULL AND due_at < ?", q.due_before),
            ("due_at IS NOT NULL AND due_at >= ?", q.due_from),
            ("created_at >= ?", q.created_from),
            ("created_at < ?", q.created_before),
        ):
            if bound is not None:
                where.append(condition)
                params.append(t(bound))
        position = q.position()
        past = "<" if q.descending else ">"
        if position is not None:
            at, case_id = position
            if q.order in ("due_at", "created_at"):
                where.append(f"({q.order}, case_id) {past} (?, ?)")
                params.extend((t(at), case_id))
            else:
                where.append(f"case_id {past} ?")
                params.append(case_id)
        way = " DESC" if q.descending else ""
        sort = f"case_id{way}"
        if q.order in ("due_at", "created_at"):
            sort = f"{q.order}{way}, {sort}"
        clause = f" WHERE {' AND '.join(where)}" if where else ""
        sql = f"SELECT {_CASE_COLUMNS} FROM cases{clause} ORDER BY {sort} LIMIT ?"
        with self._db.reading():
            rows = self._run(sql, (*params, q.limit + 1)).fetchall()
        cases = [self._case(r) for r in rows[: q.limit]]
        more = len(rows) > q.limit and q.limit > 0
        last = cases[-1] if cases else None
        return CasePage(cases, cursor_after(last, q.order) if more and last else None)

    def counts(self, kind: str | None = None) -> dict[tuple[str, str], int]:
        """Cases per ``(kind, state)``."""
        sql = "SELECT kind, state, COUNT(*) FROM cases"
        params: tuple[Any, ...] = ()
        if kind is not None:
            sql += " WHERE kind = ?"
            params = (kind,)
        with self._db.reading():
            rows = self._run(sql + " GROUP BY kind, state", params).fetchall()
        return {(r[0], r[1]): int(r[2]) for r in rows}

    def put_hold(self, hold: LegalHold) -> None:
        """Insert or replace the hold of ``(case_id, subject_ref)``."""
        h, t = checked_hold(hold), self._d.time
        with self._db.transaction():
            if not self._exists(h.case_id):
                raise CaseNotFound("no such case", details={"case_id": h.case_id})
            self._run(
                f"INSERT INTO legal_holds ({_HOLD_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (case_id, subject_ref) DO UPDATE SET placed_at = excluded.placed_at, "
                "expires_at = excluded.expires_at, extended = excluded.extended, "
                "released_at = excluded.released_at",
                (
                    *(h.subject_ref, h.case_id, t(h.placed_at), t(h.expires_at)),
                    *(h.extended, t(h.released_at)),
                ),
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
            where.append("case_id = ?")
            params.append(case_id)
        if subject_refs is not None:
            if not subject_refs:
                return []
            condition, values = self._d.any_of("subject_ref", (bytes(r) for r in subject_refs))
            where.append(condition)
            params.extend(values)
        if active_at is not None:
            where.append("released_at IS NULL AND expires_at > ?")
            params.append(self._d.time(active_at))
        clause = f" WHERE {' AND '.join(where)}" if where else ""
        sql = f"SELECT {_HOLD_COLUMNS} FROM legal_holds{clause} ORDER BY case_id, subject_ref"
        with self._db.reading():
            rows = self._run(sql, params).fetchall()
        return [self._hold(r) for r in rows]
