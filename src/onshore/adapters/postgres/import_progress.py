"""Import progress in a PostgreSQL control database (SQL in
``adapters.sql.import_progress``; schema: control-store migration 7)."""

from __future__ import annotations

from onshore.adapters.postgres.control import PostgresControlStore
from onshore.adapters.sql.import_progress import SqlImportProgressLog


class PostgresImportProgressLog(PostgresControlStore, SqlImportProgressLog):
    """Import progress in one PostgreSQL database (one autocommit connection, reconnecting)."""
