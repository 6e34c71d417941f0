"""The deferred-erasure log in a PostgreSQL control database (SQL in
``adapters.sql.retention``; schema: control-store migration 6)."""

from __future__ import annotations

from onshore.adapters.postgres.control import PostgresControlStore
from onshore.adapters.sql.retention import SqlDeferredErasureLog


class PostgresDeferredErasureLog(PostgresControlStore, SqlDeferredErasureLog):
    """Deferred erasures in one PostgreSQL database (one autocommit connection, reconnecting)."""
