"""Migrations of the control store (API tokens, browser sessions).

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


#: Browser sessions (``adapters.*.sessions``): the digest of the cookie's secret, never it;
#: and the links of users to OpenID Connect subjects, by (issuer, subject).
SESSIONS_SQLITE = """
CREATE TABLE IF NOT EXISTS sessions (
    session_id   TEXT PRIMARY KEY,
    digest       BLOB NOT NULL UNIQUE,
    user_id      TEXT NOT NULL,
    method       TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    last_seen_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS sessions_user ON sessions (user_id);
CREATE TABLE IF NOT EXISTS oidc_links (
    issuer     TEXT NOT NULL,
    subject    TEXT NOT NULL,
    user_id    TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (issuer, subject)
);
"""

#: The same on PostgreSQL.
SESSIONS_POSTGRES = """
CREATE TABLE IF NOT EXISTS sessions (
    session_id   TEXT PRIMARY KEY,
    digest       BYTEA NOT NULL UNIQUE,
    user_id      TEXT NOT NULL,
    method       TEXT NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL,
    last_seen_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX IF NOT EXISTS sessions_user ON sessions (user_id);
CREATE TABLE IF NOT EXISTS oidc_links (
    issuer     TEXT NOT NULL,
    subject    TEXT NOT NULL,
    user_id    TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (issuer, subject)
);
"""

CONTROL: tuple[Migration, ...] = (
    Migration(1, "api_tokens", _sqlite_v1, _postgres_v1),
    Migration(2, "browser sessions and OIDC links", SESSIONS_SQLITE, SESSIONS_POSTGRES),
)
