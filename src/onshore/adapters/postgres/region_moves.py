"""Migration plans in a PostgreSQL control database (the same database as the tokens).

The SQL is ``onshore.adapters.sql.region_moves``; the tables are control-store migration 8.
"""

from __future__ import annotations

from onshore.adapters.postgres.control import PostgresControlStore
from onshore.adapters.sql.region_moves import SqlMigrationStore


class PostgresMigrationStore(PostgresControlStore, SqlMigrationStore):
    """Migration plans in one PostgreSQL database (one autocommit connection, reconnecting)."""
