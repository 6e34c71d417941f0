"""API tokens in a PostgreSQL control database (digests only; the secret is never stored).

The SQL is ``onshore.adapters.sql.tokens``; this module connects (and reconnects) and
holds the schema. Names are ordered by code point (``COLLATE "C"``), as on SQLite.
"""

from __future__ import annotations

from onshore.adapters.postgres.control import PostgresControlStore
from onshore.adapters.sql.tokens import SqlTokenStore

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


class PostgresTokenStore(PostgresControlStore, SqlTokenStore):
    """Token digests in one PostgreSQL database (one autocommit connection, reconnecting)."""
