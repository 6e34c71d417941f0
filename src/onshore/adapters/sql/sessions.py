"""The session store in neutral SQL: browser sessions in a control database's ``sessions``
table and sign-in links in its ``oidc_links`` table, over SQLite or PostgreSQL
(``adapters.sql.dialect``). Only the SHA-256 digest of a session's secret is stored, never
the secret (the cookie's value).

Like the token store, a session store owns its connection to the control database; the
backends open it and bring the schema up to date (``adapters.migrations.control``).
Timestamps are fixed-width UTC (``Dialect.time``), so the timeouts compare in SQL.
"""

from __future__ import annotations

import threading
from datetime import datetime
from typing import Any, ClassVar

from onshore.adapters.sql.dialect import Dialect
from onshore.core.errors import StoreUnavailable
from onshore.ports.sessions import SessionRecord

_COLUMNS = "session_id, user_id, method, created_at, last_seen_at"


class SqlSessionStore:
    """Sessions in one SQL control database, used by one connection under a lock.

    Subclasses set ``_conn``, ``_driver_error`` (the driver's base error) and ``_duplicate``
    (its unique-violation error).
    """

    _driver_error: ClassVar[type[Exception]]
    _duplicate: ClassVar[type[Exception]]
    _conn: Any

    def __init__(self, dialect: Dialect) -> None:
        self._d = dialect
        self._lock = threading.Lock()

    def _connection(self) -> Any:
        """The open connection (reconnecting where the backend can)."""
        return self._conn

    def _unavailable(self, exc: Exception) -> StoreUnavailable:
        """The error for a driver failure."""
        return StoreUnavailable(
            "the control store is unavailable", details={"reason": type(exc).__name__}
        )

    def _run(self, sql: str, params: tuple[Any, ...] = ()) -> tuple[list[tuple[Any, ...]], int]:
        with self._lock:
            conn = self._connection()
            try:
                cur = conn.execute(self._d.sql(sql), params)
                rows = cur.fetchall() if cur.description else []
                return rows, cur.rowcount
            except self._duplicate:
                raise
            except self._driver_error as exc:
                raise self._unavailable(exc) from exc

    def _record(self, row: tuple[Any, ...]) -> SessionRecord:
        at = self._d.from_time
        return SessionRecord(row[0], row[1], row[2], at(row[3]), at(row[4]))

    def insert(self, record: SessionRecord, digest: bytes) -> None:
        """Add a session."""
        t = self._d.time
        self._run(
            f"INSERT INTO sessions ({_COLUMNS}, digest) VALUES (?, ?, ?, ?, ?, ?)",
            (
                record.session_id,
                record.user_id,
                record.method,
                t(record.created_at),
                t(record.last_seen_at),
                digest,
            ),
        )

    def by_digest(self, digest: bytes) -> SessionRecord | None:
        """The session whose secret hashes to ``digest``."""
        rows, _ = self._run(f"SELECT {_COLUMNS} FROM sessions WHERE digest = ?", (digest,))
        return self._record(rows[0]) if rows else None

    def touch(self, session_id: str, at: datetime) -> None:
        """Record activity at ``at``."""
        self._run(
            "UPDATE sessions SET last_seen_at = ? WHERE session_id = ?",
            (self._d.time(at), session_id),
        )

    def delete(self, session_id: str) -> None:
        """Remove a session."""
        self._run("DELETE FROM sessions WHERE session_id = ?", (session_id,))

    def delete_user(self, user_id: str) -> int:
        """Remove every session of ``user_id``."""
        _, count = self._run("DELETE FROM sessions WHERE user_id = ?", (user_id,))
        return max(count, 0)

    def purge(self, created_before: datetime, seen_before: datetime) -> int:
        """Remove sessions past their absolute or idle timeout."""
        t = self._d.time
        _, count = self._run(
            "DELETE FROM sessions WHERE created_at < ? OR last_seen_at < ?",
            (t(created_before), t(seen_before)),
        )
        return max(count, 0)

    def link(self, issuer: str, subject: str, user_id: str, at: datetime) -> bool:
        """Link a provider's subject to a user; False when it is linked already."""
        try:
            self._run(
                "INSERT INTO oidc_links (issuer, subject, user_id, created_at) VALUES (?, ?, ?, ?)",
                (issuer, subject, user_id, self._d.time(at)),
            )
        except self._duplicate:
            return False
        return True

    def linked_user(self, issuer: str, subject: str) -> str | None:
        """The user linked to a provider's subject."""
        rows, _ = self._run(
            "SELECT user_id FROM oidc_links WHERE issuer = ? AND subject = ?", (issuer, subject)
        )
        return str(rows[0][0]) if rows else None

    def unlink(self, issuer: str, subject: str) -> bool:
        """Remove a link."""
        _, count = self._run(
            "DELETE FROM oidc_links WHERE issuer = ? AND subject = ?", (issuer, subject)
        )
        return count > 0

    def close(self) -> None:
        """Close the connection."""
        with self._lock:
            self._conn.close()
