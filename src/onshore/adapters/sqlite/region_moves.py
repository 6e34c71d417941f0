"""Migration plans in a SQLite control database (the same file as the API tokens).

The SQL is ``onshore.adapters.sql.region_moves``; the tables are control-store migration 8.
"""

from __future__ import annotations

from onshore.adapters.sql.region_moves import SqlMigrationStore
from onshore.adapters.sqlite.control import SqliteControlStore


class SqliteMigrationStore(SqliteControlStore, SqlMigrationStore):
    """Migration plans in one SQLite file (its own connection; WAL journal)."""
