"""Users and service accounts in a PostgreSQL control database (beside the API tokens).

The SQL is ``onshore.adapters.sql.users``; the connection handling is
``onshore.adapters.postgres.control``; the tables come from the control store's migration
2 (``onshore.adapters.migrations.control``). Names are ordered by code point.
"""

from __future__ import annotations

from onshore.adapters.postgres.control import PostgresControlStore
from onshore.adapters.sql.users import SqlUserStore


class PostgresUserStore(PostgresControlStore, SqlUserStore):
    """Users and service accounts in one PostgreSQL database (its own connection)."""
