"""The notice log in neutral SQL: the ``case_notices`` table of a control database, over
SQLite or PostgreSQL (``adapters.sql.dialect``).

A claim is one atomic statement: ``INSERT ... ON CONFLICT DO NOTHING`` takes a new notice,
and a conditional ``UPDATE`` takes one whose worker's lease ran out; the row count says who
won, so two workers racing for a notice never both get it. Like the token store, the store
owns its connection (the backends open it and bring the schema up to date).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from onshore.adapters.sql.control import SqlControlStore
from onshore.ports.notices import Notice, NoticeClaim, NoticeKey, NoticeStatus

_KEY = "case_id = ? AND deadline = ? AND event = ? AND channel = ?"
_COLUMNS = (
    "case_id, deadline, event, channel, status, worker, claimed_at, finished_at, attempts, detail"
)


class SqlNoticeLog(SqlControlStore):
    """Notices in one SQL control database, used by one connection under a lock.

    The connection, its lock and driver errors are ``SqlControlStore``\'s; the SQLite and
    PostgreSQL control stores open it.
    """

    def _query(self, sql: str, params: tuple[Any, ...] = ()) -> tuple[int, list[tuple[Any, ...]]]:
        rows, count = self._execute(sql, params, duplicate=False)
        return count, rows

    @staticmethod
    def _key(key: NoticeKey) -> tuple[str, str, str, str]:
        return (key.case_id, key.deadline, key.event, key.channel)

    def claim(
        self, key: NoticeKey, worker: str, at: datetime, stale_before: datetime
    ) -> NoticeClaim | None:
        """Claim a new notice, or one whose worker's lease ran out (see the port)."""
        t = self._d.time
        count, _ = self._query(
            f"INSERT INTO case_notices ({_COLUMNS}) VALUES (?, ?, ?, ?, 'claimed', ?, ?, NULL, 0, "
            "NULL) ON CONFLICT (case_id, deadline, event, channel) DO NOTHING",
            (*self._key(key), worker, t(at)),
        )
        if count == 1:
            return NoticeClaim(key, worker)
        count, _ = self._query(
            f"UPDATE case_notices SET worker = ?, claimed_at = ? WHERE {_KEY} "
            "AND status = 'claimed' AND claimed_at < ?",
            (worker, t(at), *self._key(key), t(stale_before)),
        )
        return NoticeClaim(key, worker, reclaimed=True) if count == 1 else None

    def finish(
        self,
        key: NoticeKey,
        worker: str,
        status: NoticeStatus,
        at: datetime,
        *,
        attempts: int,
        detail: str | None = None,
    ) -> None:
        """Record how the claim ended (only the claiming worker's row changes)."""
        self._query(
            "UPDATE case_notices SET status = ?, finished_at = ?, attempts = ?, detail = ? "
            f"WHERE {_KEY} AND worker = ? AND status = 'claimed'",
            (status, self._d.time(at), attempts, detail, *self._key(key), worker),
        )

    def release(self, key: NoticeKey, worker: str) -> None:
        """Drop the claim (the next check claims the notice afresh)."""
        self._query(
            f"DELETE FROM case_notices WHERE {_KEY} AND worker = ? AND status = 'claimed'",
            (*self._key(key), worker),
        )

    def _notice(self, row: tuple[Any, ...]) -> Notice:
        at = self._d.from_time
        return Notice(
            key=NoticeKey(row[0], row[1], row[2], row[3]),
            status=row[4],
            worker=row[5],
            claimed_at=at(row[6]),
            finished_at=at(row[7]) if row[7] is not None else None,
            attempts=int(row[8]),
            detail=row[9],
        )

    def get(self, key: NoticeKey) -> Notice | None:
        """The notice ``key``, or None."""
        _, rows = self._query(f"SELECT {_COLUMNS} FROM case_notices WHERE {_KEY}", self._key(key))
        return self._notice(rows[0]) if rows else None

    def all(self, *, status: NoticeStatus | None = None, limit: int = 1000) -> list[Notice]:
        """Up to ``limit`` notices (of ``status``), oldest claim first."""
        where, params = ("WHERE status = ?", (status,)) if status else ("", ())
        _, rows = self._query(
            f"SELECT {_COLUMNS} FROM case_notices {where} "
            "ORDER BY claimed_at, case_id, event, channel LIMIT ?",
            (*params, limit),
        )
        return [self._notice(r) for r in rows]
