"""The deferred-erasure log in neutral SQL: the ``deferred_erasures`` table of a control
database, over SQLite or PostgreSQL (``adapters.sql.dialect``). Its schema is control-store
migration 6 (``adapters.migrations.control``)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from onshore.adapters.sql.control import SqlControlStore
from onshore.core.errors import InputError
from onshore.ports.retention import DeferredErasure, ErasureStatus

_COLUMNS = (
    "erasure_id, refs, requested_at, until_at, rules, reason, requested_by, case_id, status, "
    "done_at, detail"
)


class SqlDeferredErasureLog(SqlControlStore):
    """Deferred erasures in one SQL control database, used by one connection under a lock."""

    def add(self, erasure: DeferredErasure) -> None:
        """Record a new deferred erasure (``InputError`` if the id is taken)."""
        t, e = self._d.time, erasure
        refs = json.dumps({r: list(v) for r, v in sorted(e.refs.items())})
        try:
            self._execute(
                f"INSERT INTO deferred_erasures ({_COLUMNS}) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (e.erasure_id, refs, t(e.requested_at), t(e.until), " ".join(e.rules), e.reason,
                 e.requested_by, e.case_id, e.status, None, None),
                write=True,
            )  # fmt: skip
        except self._duplicate:
            raise InputError("deferred erasure id taken", details={"id": e.erasure_id}) from None

    def _row(self, row: tuple[Any, ...]) -> DeferredErasure:
        at = self._d.from_time
        return DeferredErasure(
            erasure_id=row[0],
            refs={r: tuple(v) for r, v in json.loads(row[1]).items()},
            requested_at=at(row[2]),
            until=at(row[3]),
            rules=tuple(str(row[4]).split()),
            reason=row[5],
            requested_by=row[6],
            case_id=row[7],
            status=row[8],
            done_at=at(row[9]) if row[9] is not None else None,
            detail=row[10],
        )

    def get(self, erasure_id: str) -> DeferredErasure | None:
        """The deferred erasure, or None."""
        rows, _ = self._execute(
            f"SELECT {_COLUMNS} FROM deferred_erasures WHERE erasure_id = ?", (erasure_id,)
        )
        return self._row(rows[0]) if rows else None

    def pending(
        self, *, due_by: datetime | None = None, limit: int = 1000
    ) -> list[DeferredErasure]:
        """Erasures not done (due by ``due_by``), soonest first."""
        where = "status <> 'done'"
        params: tuple[object, ...] = ()
        if due_by is not None:
            where, params = where + " AND until_at <= ?", (self._d.time(due_by),)
        rows, _ = self._execute(
            f"SELECT {_COLUMNS} FROM deferred_erasures WHERE {where} "
            "ORDER BY until_at, erasure_id LIMIT ?",
            (*params, limit),
        )
        return [self._row(r) for r in rows]

    def finish(
        self, erasure_id: str, status: ErasureStatus, at: datetime, detail: str | None = None
    ) -> None:
        """Record how carrying it out went."""
        self._execute(
            "UPDATE deferred_erasures SET status = ?, done_at = ?, detail = ? WHERE erasure_id = ?",
            (status, self._d.time(at), detail, erasure_id),
            write=True,
        )
