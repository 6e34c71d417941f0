"""API tokens in a PostgreSQL control database (digests only; the secret is never stored).

The SQL is ``onshore.adapters.sql.tokens``; this module connects (and reconnects) and
holds the schema. Names are ordered by code point (``COLLATE "C"``), as on SQLite.
"""

from __future__ import annotations

from typing import Any

import psycopg

from onshore.adapters.migrations.runner import ensure_current
from onshore.adapters.migrations.targets import PostgresTarget
from onshore.adapters.sql.dialect import POSTGRES
from onshore.adapters.sql.tokens import SqlTokenStore
from onshore.core.errors import StoreUnavailable

SCHEMA = """
CREATE TABLE IF NOT EXISTS api_tokens (
    token_id   TEXT PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE,
    role       TEXT NOT NULL,
    digest     BYTEA NOT NULL UNIQUE,
    created_at TIMESTAMPTZ NOT NULL,
    revoked_at TIMESTAMPTZ
)
"""


class PostgresTokenStore(SqlTokenStore):
    """Token digests in one PostgreSQL database (one autocommit connection, reconnecting)."""

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
