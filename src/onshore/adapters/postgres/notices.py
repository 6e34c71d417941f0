"""The notice log in a PostgreSQL control database (which deadline notices were sent).

The SQL is ``onshore.adapters.sql.notices``; this module connects (and reconnects) and its schema
is a control-store migration (``adapters.migrations.control``, ``case_notices``).
"""

from __future__ import annotations

from typing import Any

import psycopg

from onshore.adapters.migrations.runner import ensure_current
from onshore.adapters.migrations.targets import PostgresTarget
from onshore.adapters.sql.dialect import POSTGRES
from onshore.adapters.sql.notices import SqlNoticeLog
from onshore.core.errors import StoreUnavailable


class PostgresNoticeLog(SqlNoticeLog):
    """Notices in one PostgreSQL database (one autocommit connection, reconnecting)."""

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

    def _unavailable(self, exc: Exception) -> StoreUnavailable:
        return StoreUnavailable(
            "the control store is unavailable", details={"reason": type(exc).__name__}
        )
