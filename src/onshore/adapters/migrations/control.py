"""Migrations of the control store (API tokens; users and service accounts from version 2;
deadline notices from version 3; idempotency keys from version 4; browser sessions and OIDC
links from version 5).

Version 1 is the first release's schema, the token stores' ``SCHEMA`` texts, frozen here
(``tests/migrations`` checks that the stores still hold the same texts): the migrations import
no store, so a store may use the migration runner.

Version 2 adds users and service accounts, and gives every token an owner, roles and an
optional expiry: each token that existed becomes owned by a new service account named after
the token, holding the token's role (so every token keeps working, with the same role).

Version 4 adds the ``idempotency_keys`` table (``onshore.adapters.sql.idempotency``), whose
texts live only here.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any

from onshore.adapters.migrations.migration import Migration
from onshore.core.timestamps import stamp

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


def _dialects(template: str) -> tuple[str, str]:
    """A schema template as SQLite and PostgreSQL text: ``{time}`` is ISO 8601 ``TEXT`` on
    SQLite and ``TIMESTAMPTZ`` on PostgreSQL, ``{blob}`` is ``BLOB`` and ``BYTEA``."""
    return (
        template.format(time="TEXT", blob="BLOB"),
        template.format(time="TIMESTAMPTZ", blob="BYTEA"),
    )


#: Users and service accounts (roles: space-separated, sorted; times: ``Dialect.time``).
_V2 = """
CREATE TABLE users (
    user_id         TEXT PRIMARY KEY,
    name            TEXT NOT NULL UNIQUE,
    display_name    TEXT,
    email           TEXT,
    roles           TEXT NOT NULL,
    disabled        INTEGER NOT NULL DEFAULT 0,
    password_hash   TEXT,
    totp_secret     TEXT,
    totp_last_step  BIGINT,
    failed_attempts INTEGER NOT NULL DEFAULT 0,
    locked_until    {time},
    created_at      {time} NOT NULL,
    updated_at      {time} NOT NULL
);
CREATE TABLE service_accounts (
    account_id TEXT PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE,
    roles      TEXT NOT NULL,
    disabled   INTEGER NOT NULL DEFAULT 0,
    created_at {time} NOT NULL,
    updated_at {time} NOT NULL
);
ALTER TABLE api_tokens ADD COLUMN owner_id TEXT;
ALTER TABLE api_tokens ADD COLUMN roles TEXT;
ALTER TABLE api_tokens ADD COLUMN expires_at {time};
CREATE INDEX api_tokens_owner ON api_tokens (owner_id)
"""

#: ``_V2`` on SQLite (fixed-width ISO 8601 text times) and on PostgreSQL.
SQLITE_V2, POSTGRES_V2 = _dialects(_V2)


def _own_tokens(conn: Any, placeholder: str, time: Callable[[Any], Any]) -> None:
    """Each token without an owner gets a service account of its name and role (``time``:
    the token's creation time as the account's time column wants it)."""
    rows = conn.execute(
        "SELECT token_id, name, role, created_at FROM api_tokens WHERE owner_id IS NULL"
    ).fetchall()
    p = placeholder
    for token_id, name, role, created in rows:
        account = "svc_" + secrets.token_hex(8)
        conn.execute(
            "INSERT INTO service_accounts (account_id, name, roles, disabled, created_at, "
            f"updated_at) VALUES ({p}, {p}, {p}, 0, {p}, {p})",
            (account, name, role, time(created), time(created)),
        )
        conn.execute(
            f"UPDATE api_tokens SET owner_id = {p}, roles = {p} WHERE token_id = {p}",
            (account, role, token_id),
        )


def _sqlite_v2(conn: Any) -> None:
    for statement in SQLITE_V2.split(";"):
        if statement.strip():
            conn.execute(statement)
    _own_tokens(conn, "?", stamp)


def _postgres_v2(conn: Any) -> None:
    conn.execute(POSTGRES_V2)
    _own_tokens(conn, "%s", lambda t: t)


#: Version 3, the notice log (``adapters.sql.notices``): deadline notices claimed, sent or
#: failed.
NOTICES_SQLITE, NOTICES_POSTGRES = _dialects("""
CREATE TABLE IF NOT EXISTS case_notices (
    case_id     TEXT NOT NULL,
    deadline    TEXT NOT NULL,
    event       TEXT NOT NULL,
    channel     TEXT NOT NULL,
    status      TEXT NOT NULL,
    worker      TEXT NOT NULL,
    claimed_at  {time} NOT NULL,
    finished_at {time},
    attempts    INTEGER NOT NULL,
    detail      TEXT,
    PRIMARY KEY (case_id, deadline, event, channel)
)
""")

#: Version 4, the idempotency keys (``adapters.sql.idempotency``): digests of the keys and
#: the responses kept for replay.
IDEMPOTENCY_SQLITE, IDEMPOTENCY_POSTGRES = _dialects("""
CREATE TABLE IF NOT EXISTS idempotency_keys (
    principal    TEXT NOT NULL,
    operation    TEXT NOT NULL,
    idem_key     TEXT NOT NULL,
    fingerprint  TEXT NOT NULL,
    claim        TEXT NOT NULL,
    created_at   {time} NOT NULL,
    lease_until  {time} NOT NULL,
    expires_at   {time} NOT NULL,
    status       INTEGER,
    content_type TEXT,
    body         {blob},
    PRIMARY KEY (principal, operation, idem_key)
);
CREATE INDEX IF NOT EXISTS idempotency_keys_expiry ON idempotency_keys (expires_at)
""")

#: Version 5, browser sessions (``adapters.*.sessions``): the digest of the cookie's secret,
#: never it; and the links of users to OpenID Connect subjects, by (issuer, subject).
SESSIONS_SQLITE, SESSIONS_POSTGRES = _dialects("""
CREATE TABLE IF NOT EXISTS sessions (
    session_id   TEXT PRIMARY KEY,
    digest       {blob} NOT NULL UNIQUE,
    user_id      TEXT NOT NULL,
    method       TEXT NOT NULL,
    created_at   {time} NOT NULL,
    last_seen_at {time} NOT NULL
);
CREATE INDEX IF NOT EXISTS sessions_user ON sessions (user_id);
CREATE TABLE IF NOT EXISTS oidc_links (
    issuer     TEXT NOT NULL,
    subject    TEXT NOT NULL,
    user_id    TEXT NOT NULL,
    created_at {time} NOT NULL,
    PRIMARY KEY (issuer, subject)
);
""")

#: Version 6, deferred erasures (``adapters.sql.retention``): erasures retention held back,
#: with their date and reason; the subject named only by keyed subject refs.
RETENTION_SQLITE, RETENTION_POSTGRES = _dialects("""
CREATE TABLE IF NOT EXISTS deferred_erasures (
    erasure_id   TEXT PRIMARY KEY,
    refs         TEXT NOT NULL,
    requested_at {time} NOT NULL,
    until_at     {time} NOT NULL,
    rules        TEXT NOT NULL,
    reason       TEXT NOT NULL,
    requested_by TEXT NOT NULL,
    case_id      TEXT,
    status       TEXT NOT NULL,
    done_at      {time},
    detail       TEXT
);
CREATE INDEX IF NOT EXISTS deferred_erasures_due ON deferred_erasures (status, until_at)
""")

#: Version 7, import progress (``adapters.sql.import_progress``): how far each
#: ``onshore import`` got, in counts only (never a row's content).
IMPORTS_SQLITE, IMPORTS_POSTGRES = _dialects("""
CREATE TABLE IF NOT EXISTS import_progress (
    name        TEXT PRIMARY KEY,
    label       TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    next_row    BIGINT NOT NULL,
    imported    BIGINT NOT NULL,
    bad         BIGINT NOT NULL,
    regions     TEXT NOT NULL,
    status      TEXT NOT NULL,
    started_at  {time} NOT NULL,
    updated_at  {time} NOT NULL
)
""")

#: Version 8, migration plans (``adapters.sql.region_moves``, ``onshore migrate``): each plan's
#: options and status, and per record (an opaque id) its source, destination, rule and state.
MIGRATIONS_SQLITE, MIGRATIONS_POSTGRES = _dialects("""
CREATE TABLE IF NOT EXISTS migration_plans (
    plan_id     TEXT PRIMARY KEY,
    created_at  {time} NOT NULL,
    options     TEXT NOT NULL,
    status      TEXT NOT NULL,
    finished_at {time}
);
CREATE TABLE IF NOT EXISTS migration_items (
    plan_id     TEXT NOT NULL,
    record_id   TEXT NOT NULL,
    from_region TEXT NOT NULL,
    to_region   TEXT NOT NULL,
    rule        TEXT NOT NULL,
    state       TEXT NOT NULL,
    PRIMARY KEY (plan_id, record_id)
);
CREATE INDEX IF NOT EXISTS migration_items_state ON migration_items (plan_id, state)
""")

CONTROL: tuple[Migration, ...] = (
    Migration(1, "api_tokens", _sqlite_v1, _postgres_v1),
    Migration(
        2, "users, service accounts; token owners, roles and expiry", _sqlite_v2, _postgres_v2
    ),
    Migration(3, "case_notices (deadline notices sent)", NOTICES_SQLITE, NOTICES_POSTGRES),
    Migration(4, "idempotency keys", IDEMPOTENCY_SQLITE, IDEMPOTENCY_POSTGRES),
    Migration(5, "browser sessions and OIDC links", SESSIONS_SQLITE, SESSIONS_POSTGRES),
    Migration(6, "deferred erasures", RETENTION_SQLITE, RETENTION_POSTGRES),
    Migration(7, "import progress", IMPORTS_SQLITE, IMPORTS_POSTGRES),
    Migration(8, "migration plans (onshore migrate)", MIGRATIONS_SQLITE, MIGRATIONS_POSTGRES),
)
