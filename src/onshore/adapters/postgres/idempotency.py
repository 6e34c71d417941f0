"""Idempotency entries in a PostgreSQL control database (the same database as the tokens).

The SQL is ``onshore.adapters.sql.idempotency``; this module connects (and reconnects); the
table is control-store migration 2 (``adapters.migrations.control``).
"""

from __future__ import annotations

from onshore.adapters.postgres.control import PostgresControlStore
from onshore.adapters.sql.idempotency import SqlIdempotencyStore


class PostgresIdempotencyStore(PostgresControlStore, SqlIdempotencyStore):
    """Idempotency entries in one PostgreSQL database (one autocommit connection,
    reconnecting)."""
