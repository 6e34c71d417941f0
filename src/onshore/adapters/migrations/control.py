"""Migrations of the control store (API tokens, idempotency keys).

Version 1 is the first release's schema, the token stores' ``SCHEMA`` texts, frozen here
(``tests/migrations`` checks that the stores still hold the same texts): the migrations import
no store, so a store may use the migration runner. Version 2 adds the ``idempotency_keys``
table (``onshore.adapters.sql.idempotency``), whose texts live only here.
"""

from __future__ import annotations

from typing import Any

from onshore.adapters.migrations.migration import Migration

#: ``onshore.adapters.sqlite.tokens.SCHEMA`` of the first release.
SQLITE_V1 = """
CREATE TABLE IF NOT EXISTS api_tokens (
    token_id   TEXT PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE,
    role       TEXT NOT NULL,
    digest     BLOB NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    revoked_at TEXT
)
"""

#: ``onshore.adapters.postgres.tokens.SCHEMA`` of the first release.
POSTGRES_V1 = """
CREATE TABLE IF NOT EXISTS api_tokens (
    token_id   TEXT PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE,
    role       TEXT NOT NULL,
    digest     BYTEA NOT NULL UNIQUE,
    created_at TIMESTAMPTZ NOT NULL,
    revoked_at TIMESTAMPTZ
)
"""


def _sqlite_v1(conn: Any) -> None:
    conn.execute(SQLITE_V1)


def _postgres_v1(conn: Any) -> None:
    conn.execute(POSTGRES_V1)


#: The ``idempotency_keys`` table (``onshore.adapters.sql.idempotency``) on SQLite.
IDEMPOTENCY_SQLITE = """
CREATE TABLE IF NOT EXISTS idempotency_keys (
    principal    TEXT NOT NULL,
    operation    TEXT NOT NULL,
    idem_key     TEXT NOT NULL,
    fingerprint  TEXT NOT NULL,
    claim        TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    lease_until  TEXT NOT NULL,
    expires_at   TEXT NOT NULL,
    status       INTEGER,
    content_type TEXT,
    body         BLOB,
    PRIMARY KEY (principal, operation, idem_key)
);
CREATE INDEX IF NOT EXISTS idempotency_keys_expiry ON idempotency_keys (expires_at)
"""

#: The ``idempotency_keys`` table on PostgreSQL.
IDEMPOTENCY_POSTGRES = """
CREATE TABLE IF NOT EXISTS idempotency_keys (
    principal    TEXT NOT NULL,
    operation    TEXT NOT NULL,
    idem_key     TEXT NOT NULL,
    fingerprint  TEXT NOT NULL,
    claim        TEXT NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL,
    lease_until  TIMESTAMPTZ NOT NULL,
    expires_at   TIMESTAMPTZ NOT NULL,
    status       INTEGER,
    content_type TEXT,
    body         BYTEA,
    PRIMARY KEY (principal, operation, idem_key)
);
CREATE INDEX IF NOT EXISTS idempotency_keys_expiry ON idempotency_keys (expires_at)
"""


CONTROL: tuple[Migration, ...] = (
    Migration(1, "api_tokens", _sqlite_v1, _postgres_v1),
    Migration(2, "idempotency keys", IDEMPOTENCY_SQLITE, IDEMPOTENCY_POSTGRES),
)
