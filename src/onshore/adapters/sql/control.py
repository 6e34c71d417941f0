"""What every store of a control database shares over SQL (tokens, users, sessions,
idempotency keys, deadline notices): one owned
connection used under a lock, statements counted for ``generation``, driver errors turned
into ``StoreUnavailable``. The backends (``adapters.sqlite.control``,
``adapters.postgres.control``) open the connection and bring the schema up to date.
"""

from __future__ import annotations

import threading
from typing import Any, ClassVar

from onshore.adapters.sql.dialect import Dialect
from onshore.core.errors import StoreUnavailable


def roles_text(roles: frozenset[str]) -> str:
    """Roles as stored: sorted, space-separated.

    Example:
        >>> roles_text(frozenset({"operator", "admin"}))
        'admin operator'
    """
    return " ".join(sorted(roles))


def roles_of(text: str | None) -> frozenset[str]:
    """Stored roles back as a set."""
    return frozenset((text or "").split())


class SqlControlStore:
    """One SQL control-database connection, used under a lock.

    Subclasses set ``_conn`` and the class attributes: ``_duplicate`` (the driver's
    unique-violation error, re-raised for the store to name), ``_driver_error`` (its base
    error) and ``_by_name`` (the name ordering, by code point).
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

    def _execute(
        self,
        sql: str,
        params: tuple[Any, ...] = (),
        *,
        write: bool = False,
        duplicate: bool = True,
    ) -> tuple[list[tuple[Any, ...]], int]:
        """Run one neutral statement under the lock: its rows and row count. A taken unique
        key is re-raised as the driver's error for the store to name (``duplicate``) or is
        ``StoreUnavailable`` like any other driver error."""
        with self._lock:
            conn = self._connection()
            try:
                cur = conn.execute(self._d.sql(sql), params)
                rows = cur.fetchall() if cur.description else []
                if write:  # counted once done: a generation read earlier no longer matches
                    self._writes += 1
                return rows, cur.rowcount
            except self._duplicate as exc:
                if duplicate:
                    raise
                raise self._unavailable(exc) from exc
            except self._driver_error as exc:
                raise self._unavailable(exc) from exc

    def _run(
        self, sql: str, params: tuple[Any, ...] = (), *, write: bool = False
    ) -> list[tuple[Any, ...]]:
        return self._execute(sql, params, write=write)[0]

    def close(self) -> None:
        """Close the connection."""
        with self._lock:
            self._conn.close()
