"""Idempotency entries in neutral SQL: the ``idempotency_keys`` table of a control database,
over SQLite or PostgreSQL (``adapters.sql.dialect``). Only a hash of each request is kept,
and the response to replay.

Like the token store, an idempotency store owns its connection to the control database:
the backends open it, bring its schema up to date and say how a driver failure reads
(``_unavailable``). Times use the dialect's ``time`` codec (SQLite: fixed-width UTC text
that sorts as text; PostgreSQL: ``timestamptz``), so expiry is one indexed comparison.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from onshore.adapters.sql.control import SqlControlStore
from onshore.core.errors import StoreUnavailable
from onshore.ports.idempotency import IdempotencyEntry, StoredResponse

_COLUMNS = (
    "principal, operation, idem_key, fingerprint, claim, created_at, lease_until, expires_at, "
    "status, content_type, body"
)
_KEY = "principal = ? AND operation = ? AND idem_key = ?"


class SqlIdempotencyStore(SqlControlStore):
    """Idempotency entries in one SQL control database, used by one connection under a lock.

    The connection, its lock and driver errors are ``SqlControlStore``\'s; the SQLite and
    PostgreSQL control stores open it.
    """

    def _query(self, sql: str, params: tuple[Any, ...] = ()) -> tuple[list[tuple[Any, ...]], int]:
        return self._execute(sql, params, duplicate=False)

    def _key(self, entry: IdempotencyEntry) -> tuple[str, str, str]:
        return entry.principal, entry.operation, entry.key

    def _entry(self, row: tuple[Any, ...]) -> IdempotencyEntry:
        at = self._d.from_time
        response = None
        if row[8] is not None:
            response = StoredResponse(int(row[8]), bytes(row[10]), str(row[9]))
        return IdempotencyEntry(
            principal=row[0],
            operation=row[1],
            key=row[2],
            fingerprint=row[3],
            claim=row[4],
            created_at=at(row[5]),
            lease_until=at(row[6]),
            expires_at=at(row[7]),
            response=response,
        )

    def _get(self, entry: IdempotencyEntry) -> IdempotencyEntry | None:
        rows, _ = self._query(
            f"SELECT {_COLUMNS} FROM idempotency_keys WHERE {_KEY}", self._key(entry)
        )
        return self._entry(rows[0]) if rows else None

    def reserve(self, entry: IdempotencyEntry, now: datetime) -> IdempotencyEntry | None:
        """Insert ``entry`` unless a live entry holds its key (see the port)."""
        t = self._d.time
        for _ in range(3):  # a live entry that expires between our statements: look again
            self._query(
                f"DELETE FROM idempotency_keys WHERE {_KEY} AND "
                "(expires_at <= ? OR (status IS NULL AND lease_until <= ?))",
                (*self._key(entry), t(now), t(now)),
            )
            self._query(
                f"INSERT INTO idempotency_keys ({_COLUMNS}) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL, NULL) "
                "ON CONFLICT (principal, operation, idem_key) DO NOTHING",
                (
                    *self._key(entry),
                    entry.fingerprint,
                    entry.claim,
                    t(entry.created_at),
                    t(entry.lease_until),
                    t(entry.expires_at),
                ),
            )
            held = self._get(entry)
            if held is not None:
                return None if held.claim == entry.claim else held
        raise StoreUnavailable("the control store keeps losing an idempotency entry")

    def complete(self, entry: IdempotencyEntry, response: StoredResponse) -> bool:
        """Store the response under ``entry``'s claim (see the port)."""
        _, count = self._query(
            "UPDATE idempotency_keys SET status = ?, content_type = ?, body = ? "
            f"WHERE {_KEY} AND claim = ? AND status IS NULL",
            (response.status, response.content_type, response.body, *self._key(entry), entry.claim),
        )
        return count == 1

    def release(self, entry: IdempotencyEntry) -> None:
        """Drop ``entry`` while in flight under its claim."""
        self._query(
            f"DELETE FROM idempotency_keys WHERE {_KEY} AND claim = ? AND status IS NULL",
            (*self._key(entry), entry.claim),
        )

    def purge(self, now: datetime) -> int:
        """Delete every expired entry."""
        _, count = self._query(
            "DELETE FROM idempotency_keys WHERE expires_at <= ?", (self._d.time(now),)
        )
        return max(count, 0)
