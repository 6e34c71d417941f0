"""The session store in neutral SQL: browser sessions in a control database's ``sessions``
table and sign-in links in its ``oidc_links`` table, over SQLite or PostgreSQL
(``adapters.sql.dialect``). Only the SHA-256 digest of a session's secret is stored, never
the secret (the cookie's value).

Like the token store, a session store owns its connection to the control database; the
backends open it and bring the schema up to date (``adapters.migrations.control``).
Timestamps are fixed-width UTC (``Dialect.time``), so the timeouts compare in SQL.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from onshore.adapters.sql.control import SqlControlStore
from onshore.ports.sessions import SessionRecord

_COLUMNS = "session_id, user_id, method, created_at, last_seen_at"


class SqlSessionStore(SqlControlStore):
    """Sessions in one SQL control database, used by one connection under a lock.

    The connection, its lock and driver errors are ``SqlControlStore``\'s; the SQLite and
    PostgreSQL control stores open it.
    """

    def _query(self, sql: str, params: tuple[Any, ...] = ()) -> tuple[list[tuple[Any, ...]], int]:
        return self._execute(sql, params, duplicate=True)

    def _record(self, row: tuple[Any, ...]) -> SessionRecord:
        at = self._d.from_time
        return SessionRecord(row[0], row[1], row[2], at(row[3]), at(row[4]))

    def insert(self, record: SessionRecord, digest: bytes) -> None:
        """Add a session."""
        t = self._d.time
        self._query(
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
        rows, _ = self._query(f"SELECT {_COLUMNS} FROM sessions WHERE digest = ?", (digest,))
        return self._record(rows[0]) if rows else None

    def touch(self, session_id: str, at: datetime) -> None:
        """Record activity at ``at``."""
        self._query(
            "UPDATE sessions SET last_seen_at = ? WHERE session_id = ?",
            (self._d.time(at), session_id),
        )

    def delete(self, session_id: str) -> None:
        """Remove a session."""
        self._query("DELETE FROM sessions WHERE session_id = ?", (session_id,))

    def delete_user(self, user_id: str) -> int:
        """Remove every session of ``user_id``."""
        _, count = self._query("DELETE FROM sessions WHERE user_id = ?", (user_id,))
        return max(count, 0)

    def purge(self, created_before: datetime, seen_before: datetime) -> int:
        """Remove sessions past their absolute or idle timeout."""
        t = self._d.time
        _, count = self._query(
            "DELETE FROM sessions WHERE created_at < ? OR last_seen_at < ?",
            (t(created_before), t(seen_before)),
        )
        return max(count, 0)

    def link(self, issuer: str, subject: str, user_id: str, at: datetime) -> bool:
        """Link a provider's subject to a user; False when it is linked already."""
        try:
            self._query(
                "INSERT INTO oidc_links (issuer, subject, user_id, created_at) VALUES (?, ?, ?, ?)",
                (issuer, subject, user_id, self._d.time(at)),
            )
        except self._duplicate:
            return False
        return True

    def linked_user(self, issuer: str, subject: str) -> str | None:
        """The user linked to a provider's subject."""
        rows, _ = self._query(
            "SELECT user_id FROM oidc_links WHERE issuer = ? AND subject = ?", (issuer, subject)
        )
        return str(rows[0][0]) if rows else None

    def unlink(self, issuer: str, subject: str) -> bool:
        """Remove a link."""
        _, count = self._query(
            "DELETE FROM oidc_links WHERE issuer = ? AND subject = ?", (issuer, subject)
        )
        return count > 0
