"""Migrations of the control store (API tokens; deadline notices from version 2).

Version 1 is the first release's schema, the token stores' ``SCHEMA`` texts, frozen here
(``tests/migrations`` checks that the stores still hold the same texts): the migrations import
no store, so a store may use the migration runner.
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


#: The notice log (``adapters.sql.notices``): deadline notices claimed, sent or failed.
NOTICES_SQLITE = """
CREATE TABLE IF NOT EXISTS case_notices (
    case_id     TEXT NOT NULL,
    deadline    TEXT NOT NULL,
    event       TEXT NOT NULL,
    channel     TEXT NOT NULL,
    status      TEXT NOT NULL,
    worker      TEXT NOT NULL,
    claimed_at  TEXT NOT NULL,
    finished_at TEXT,
    attempts    INTEGER NOT NULL,
    detail      TEXT,
    PRIMARY KEY (case_id, deadline, event, channel)
)
"""

#: The notice log on PostgreSQL.
NOTICES_POSTGRES = NOTICES_SQLITE.replace("claimed_at  TEXT", "claimed_at  TIMESTAMPTZ").replace(
    "finished_at TEXT", "finished_at TIMESTAMPTZ"
)


def _notices_sqlite(conn: Any) -> None:
    conn.execute(NOTICES_SQLITE)


def _notices_postgres(conn: Any) -> None:
    conn.execute(NOTICES_POSTGRES)


CONTROL: tuple[Migration, ...] = (
    Migration(1, "api_tokens", _sqlite_v1, _postgres_v1),
    Migration(2, "case_notices (deadline notices sent)", _notices_sqlite, _notices_postgres),
)
