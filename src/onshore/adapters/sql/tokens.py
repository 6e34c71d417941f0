"""The token store in neutral SQL: API token digests in a control database's
``api_tokens`` table, over SQLite or PostgreSQL (``adapters.sql.dialect``). The secret is
never stored.

A token store owns its connection (the control database is not a region database): the
backends open it, bring its schema up to date and say how a driver failure reads
(``_unavailable``); a name already taken is reported as ``TokenNameTaken``. Timestamps
are stored as given (``Dialect.time_as_given``).
"""

from __future__ import annotations

import threading
from datetime import datetime
from typing import Any, ClassVar

from onshore.adapters.sql.dialect import Dialect
from onshore.core.errors import StoreUnavailable, TokenNameTaken
from onshore.ports import TokenInfo

_COLUMNS = "token_id, name, role, created_at, revoked_at"


class SqlTokenStore:
    """Token digests in one SQL control database, used by one connection under a lock.

    Subclasses set ``_conn`` and the class attributes: ``_duplicate`` (the driver's
    unique-violation error), ``_driver_error`` (its base error) and ``_by_name`` (the
    name ordering, by code point).
    """

    _duplicate: ClassVar[type[Exception]]
    _driver_error: ClassVar[type[Exception]]
    _by_name: ClassVar[str] = "name"
    _conn: Any

    def __init__(self, dialect: Dialect) -> None:
        self._d = dialect
        self._lock = threading.Lock()
        self._writes = 0

    def _connection(self) -> Any:
        """The open connection (reconnecting where the backend can)."""
        return self._conn

    def _unavailable(self, exc: Exception) -> StoreUnavailable:
        """The error for a driver failure other than a taken name."""
        raise NotImplementedError

    def _run(
        self, sql: str, params: tuple[Any, ...] = (), *, write: bool = False
    ) -> list[tuple[Any, ...]]:
        with self._lock:
            conn = self._connection()
            try:
                cur = conn.execute(self._d.sql(sql), params)
                rows = cur.fetchall() if cur.description else []
                if write:  # counted once done: a generation read earlier no longer matches
                    self._writes += 1
                return rows
            except self._duplicate:
                raise
            except self._driver_error as exc:
                raise self._unavailable(exc) from exc

    def _info(self, row: tuple[Any, ...]) -> TokenInfo:
        at = self._d.from_time_as_given
        return TokenInfo(
            token_id=row[0],
            name=row[1],
            role=row[2],
            created_at=at(row[3]),
            revoked_at=at(row[4]) if row[4] else None,
        )

    def insert(self, info: TokenInfo, digest: bytes) -> None:
        """Add a token; ``TokenNameTaken`` when the name is in use."""
        created = self._d.time_as_given(info.created_at)
        try:
            self._run(
                f"INSERT INTO api_tokens ({_COLUMNS}, digest) VALUES (?, ?, ?, ?, ?, ?)",
                (info.token_id, info.name, info.role, created, None, digest),
                write=True,
            )
        except self._duplicate as exc:
            raise TokenNameTaken(
                "a token with that name exists", details={"name": info.name}
            ) from exc

    def by_digest(self, digest: bytes) -> TokenInfo | None:
        """The token whose secret hashes to ``digest``."""
        rows = self._run(f"SELECT {_COLUMNS} FROM api_tokens WHERE digest = ?", (digest,))
        return self._info(rows[0]) if rows else None

    def lookup(self, name_or_id: str) -> TokenInfo | None:
        """A token by name or id."""
        rows = self._run(
            f"SELECT {_COLUMNS} FROM api_tokens WHERE token_id = ? OR name = ? "
            "ORDER BY token_id = ? DESC LIMIT 1",
            (name_or_id, name_or_id, name_or_id),
        )
        return self._info(rows[0]) if rows else None

    def revoke(self, token_id: str, at: datetime) -> None:
        """Mark revoked (keeps an earlier revocation)."""
        self._run(
            "UPDATE api_tokens SET revoked_at = ? WHERE token_id = ? AND revoked_at IS NULL",
            (self._d.time_as_given(at), token_id),
            write=True,
        )

    def page(self, after: str | None, limit: int) -> list[TokenInfo]:
        """Tokens ordered by name after ``after``."""
        rows = self._run(
            f"SELECT {_COLUMNS} FROM api_tokens WHERE {self._by_name} > ? "
            f"ORDER BY {self._by_name} LIMIT ?",
            (after or "", limit),
        )
        return [self._info(r) for r in rows]

    def close(self) -> None:
        """Close the connection."""
        with self._lock:
            self._conn.close()
