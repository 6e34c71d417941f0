"""A control database on PostgreSQL: the connection every control store shares the
handling of (one autocommit connection, reconnecting; schema brought up to date or refused;
names ordered by code point, ``COLLATE "C"``, as on SQLite).
"""

from __future__ import annotations

from typing import Any

import psycopg

from onshore.adapters.migrations.runner import ensure_current
from onshore.adapters.migrations.targets import PostgresTarget
from onshore.adapters.sql.control import SqlControlStore
from onshore.adapters.sql.dialect import POSTGRES
from onshore.core.errors import StoreUnavailable


class PostgresControlStore(SqlControlStore):
    """A store over one PostgreSQL control database."""

    _duplicate = psycopg.errors.UniqueViolation
    _driver_error = psycopg.Error
    _by_name = 'name COLLATE "C"'

    def __init__(self, url: str, *, connect_timeout: int = 5) -> None:
        super().__init__(POSTGRES)
        self._url = url
        self._timeout = connect_timeout
        self._conn = self._connect()
        try:
            ensure_current(PostgresTarget(self._conn), "control", "the control store")
        except psycopg.Error as exc:
            self._conn.close()
            raise StoreUnavailable(
                "the control store failed", details={"reason": type(exc).__name__}
            ) from exc
        except BaseException:
            self._conn.close()
            raise

    def _connect(self) -> psycopg.Connection[Any]:
        try:
            return psycopg.connect(self._url, autocommit=True, connect_timeout=self._timeout)
        except psycopg.Error as exc:
            raise StoreUnavailable(
                "cannot connect to the control store", details={"reason": type(exc).__name__}
            ) from exc

    def _connection(self) -> Any:
        if self._conn.closed or self._conn.broken:
            self._conn = self._connect()
        return self._conn

    def _unavailable(self, exc: Exception) -> StoreUnavailable:
        return StoreUnavailable(
            "the control store is unavailable", details={"reason": type(exc).__name__}
        )

    def generation(self) -> object | None:
        """None: PostgreSQL cannot tell cheaply, so verified tokens are not cached."""
        return None
