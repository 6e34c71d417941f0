"""In-memory case store: the reference implementation of ``onshore.ports.CaseStore``.

Rollback uses an undo log of ``(table, key, previous value)``; ``snapshot()`` is a position
in it and the log restarts with each outermost transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

from onshore.adapters.case_rows import checked_case, checked_event, checked_hold, sort_key
from onshore.core.cases.listing import CaseQuery, cursor_after
from onshore.core.errors import CaseConflict, CaseNotFound
from onshore.core.timestamps import utc
from onshore.ports import Case, CaseEvent, CasePage, LegalHold

_MISSING = object()


class MemoryCaseStore:
    """Cases, histories and holds in dicts.

    Example:
        >>> from onshore.adapters.memory.database import MemoryDatabase
        >>> MemoryDatabase().cases.page(CaseQuery()).cases
        []
    """

    def __init__(self, db: Any) -> None:
        self._db = db
        self._tables: dict[str, dict[Any, Any]] = {"cases": {}, "events": {}, "holds": {}}
        self._undo: list[tuple[str, Any, Any]] = []

    # -- transactions -------------------------------------------------------------------

    def snapshot(self) -> object:
        """A position in the undo log."""
        if getattr(self._db, "_depth", 0) == 0:
            self._undo.clear()
        return len(self._undo)

    def restore(self, snap: object) -> None:
        """Undo every change made since ``snap``."""
        assert isinstance(snap, int)
        while len(self._undo) > snap:
            table, key, previous = self._undo.pop()
            if previous is _MISSING:
                self._tables[table].pop(key, None)
            else:
                self._tables[table][key] = previous

    def _set(self, table: str, key: Any, value: Any) -> None:
        self._undo.append((table, key, self._tables[table].get(key, _MISSING)))
        self._tables[table][key] = value

    # -- cases --------------------------------------------------------------------------

    def create(self, case: Case) -> None:
        """Insert a new case; ``CaseConflict`` if the id exists."""
        case = checked_case(case)
        with self._db.transaction():
            if case.case_id in self._tables["cases"]:
                raise CaseConflict("a case with that id exists", details={"case_id": case.case_id})
            self._set("cases", case.case_id, case)

    def get(self, case_id: str) -> Case | None:
        """The case, or None."""
        with self._db.reading():
            found: Case | None = self._tables["cases"].get(case_id)
            return found

    def update(self, case: Case) -> Case:
        """Compare-and-set on ``version``; returns the stored case."""
        case = checked_case(case)
        with self._db.transaction():
            current = self._tables["cases"].get(case.case_id)
            if current is None:
                raise CaseNotFound("no such case", details={"case_id": case.case_id})
            if current.version != case.version:
                raise CaseConflict(
                    "the case changed since it was read",
                    details={
                        "case_id": case.case_id,
                        "expected": case.version,
                        "actual": current.version,
                    },
                )
            stored = replace(
                current,
                state=case.state,
                updated_at=case.updated_at,
                due_at=case.due_at,
                data=case.data,
                version=case.version + 1,
            )
            self._set("cases", case.case_id, stored)
            result: Case = stored
            return result

    def append_event(self, event: CaseEvent) -> None:
        """Append to the history; ``CaseConflict`` if ``seq`` is taken."""
        event = checked_event(event)
        with self._db.transaction():
            if event.case_id not in self._tables["cases"]:
                raise CaseNotFound("no such case", details={"case_id": event.case_id})
            history: tuple[CaseEvent, ...] = self._tables["events"].get(event.case_id, ())
            if any(e.seq == event.seq for e in history):
                raise CaseConflict(
                    "that history entry is taken (a concurrent transition won)",
                    details={"case_id": event.case_id, "seq": event.seq},
                )
            self._set("events", event.case_id, tuple(sorted((*history, event), key=_seq)))

    def events(self, case_id: str) -> list[CaseEvent]:
        """The history, by ``seq``."""
        with self._db.reading():
            return list(self._tables["events"].get(case_id, ()))

    def page(self, query: CaseQuery) -> CasePage:
        """Cases matching every filter of ``query``, keyset-paged."""
        q = query
        cursor = q.position()
        wanted = set(q.states) if q.states is not None else None
        due_before = utc(q.due_before) if q.due_before is not None else None
        due_from = utc(q.due_from) if q.due_from is not None else None
        created_from = utc(q.created_from) if q.created_from is not None else None
        created_before = utc(q.created_before) if q.created_before is not None else None
        with self._db.reading():
            rows = [
                c
                for c in self._tables["cases"].values()
                if (q.kind is None or c.kind == q.kind)
                and (wanted is None or c.state in wanted)
                and (q.order != "due_at" or c.due_at is not None)
                and (not q.undated or c.due_at is None)
                and (due_before is None or (c.due_at is not None and c.due_at < due_before))
                and (due_from is None or (c.due_at is not None and c.due_at >= due_from))
                and (created_from is None or c.created_at >= created_from)
                and (created_before is None or c.created_at < created_before)
            ]
        rows.sort(key=lambda c: sort_key(c, q.order), reverse=q.descending)
        if cursor is not None:
            key = cursor if q.order in ("due_at", "created_at") else (cursor[1],)
            if q.descending:
                rows = [c for c in rows if sort_key(c, q.order) < key]
            else:
                rows = [c for c in rows if sort_key(c, q.order) > key]
        chunk = rows[: q.limit]
        more = len(rows) > q.limit and q.limit > 0
        last = chunk[-1] if chunk else None
        return CasePage(
            cases=chunk,
            next_cursor=cursor_after(last, q.order) if more and last else None,
        )

    def counts(self, kind: str | None = None) -> dict[tuple[str, str], int]:
        """Cases per ``(kind, state)``."""
        out: dict[tuple[str, str], int] = {}
        with self._db.reading():
            for c in self._tables["cases"].values():
                if kind is None or c.kind == kind:
                    out[(c.kind, c.state)] = out.get((c.kind, c.state), 0) + 1
        return out

    # -- legal holds --------------------------------------------------------------------

    def put_hold(self, hold: LegalHold) -> None:
        """Insert or replace the hold of ``(case_id, subject_ref)``."""
        hold = checked_hold(hold)
        with self._db.transaction():
            if hold.case_id not in self._tables["cases"]:
                raise CaseNotFound("no such case", details={"case_id": hold.case_id})
            self._set("holds", (hold.case_id, hold.subject_ref), hold)

    def holds(
        self,
        *,
        case_id: str | None = None,
        subject_refs: Sequence[bytes] | None = None,
        active_at: datetime | None = None,
    ) -> list[LegalHold]:
        """Holds matching every filter, by ``(case_id, subject_ref)``."""
        refs = {bytes(r) for r in subject_refs} if subject_refs is not None else None
        with self._db.reading():
            found = [
                h
                for (cid, ref), h in self._tables["holds"].items()
                if (case_id is None or cid == case_id)
                and (refs is None or ref in refs)
                and (active_at is None or h.active(utc(active_at)))
            ]
        return sorted(found, key=lambda h: (h.case_id, h.subject_ref))


def _seq(event: CaseEvent) -> int:
    return event.seq
