"""Idempotency entries in a PostgreSQL control database (the same database as the tokens).

The SQL is ``onshore.adapters.sql.idempotency``; this module connects (and reconnects); the
table is control-store migration 2 (``adapters.migrations.control``).
"""

from __future__ import annotations

from typing import Any

import psycopg

from onshore.adapters.migrations.runner import ensure_current
from onshore.adapters.migrations.targets import PostgresTarget
from onshore.adapters.sql.dialect import POSTGRES
from onshore.adapters.sql.idempotency import SqlIdempotencyStore
from onshore.core.errors import StoreUnavailable


class PostgresIdempotencyStore(SqlIdempotencyStore):
    """Idempotency entries in one PostgreSQL database (one autocommit connection,
    reconnecting)."""

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
        """The connection, made again when it broke or was closed (an app's lifespan may end
        and start again over the same store)."""
        if self._conn.closed or self._conn.broken:
            self._conn = self._connect()
        return self._conn
