"""Browser sessions in a PostgreSQL control database (digests only; the secret is never
stored). The SQL is ``onshore.adapters.sql.sessions``; this module connects (and
reconnects) and brings the schema up to date.
"""

from __future__ import annotations

from typing import Any

import psycopg

from onshore.adapters.migrations.runner import ensure_current
from onshore.adapters.migrations.targets import PostgresTarget
from onshore.adapters.sql.dialect import POSTGRES
from onshore.adapters.sql.sessions import SqlSessionStore
from onshore.core.errors import StoreUnavailable


class PostgresSessionStore(SqlSessionStore):
    """Sessions in one PostgreSQL database (one autocommit connection, reconnecting)."""

    _duplicate = psycopg.errors.UniqueViolation
    _driver_error = psycopg.Error

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
