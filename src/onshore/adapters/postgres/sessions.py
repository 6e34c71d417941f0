"""Browser sessions in a PostgreSQL control database (digests only; the secret is never
stored). The SQL is ``onshore.adapters.sql.sessions``; this module connects (and
reconnects) and brings the schema up to date.
"""

from __future__ import annotations

from onshore.adapters.postgres.control import PostgresControlStore
from onshore.adapters.sql.sessions import SqlSessionStore


class PostgresSessionStore(PostgresControlStore, SqlSessionStore):
    """Sessions in one PostgreSQL database (one autocommit connection, reconnecting)."""
