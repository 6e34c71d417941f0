"""API tokens in a PostgreSQL control database (digests only; the secret is never stored)."""

from __future__ import annotations

import threading
from datetime import datetime
from typing import Any

import psycopg

from onshore.adapters.migrations.runner import ensure_current
from onshore.adapters.migrations.targets import PostgresTarget
from onshore.core.errors import StoreUnavailable, TokenNameTaken
from onshore.ports import TokenInfo

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

_COLUMNS = "token_id, name, role, created_at, revoked_at"


def _info(row: tuple[Any, ...]) -> TokenInfo:
    return TokenInfo(
        token_id=row[0], name=row[1], role=row[2], created_at=row[3], revoked_at=row[4]
    )


class PostgresTokenStore:
    """Token digests in one PostgreSQL database (one autocommit connection, reconnecting)."""

    def __init__(self, url: str, *, connect_timeout: int = 5) -> None:
        self._url = url
        self._timeout = connect_timeout
        self._lock = threading.Lock()
        self._conn = self._connect()
        try:
            ensure_current(PostgresTarget(self._conn), "control", "the control store")
        except psycopg.Error as exc:
            self._conn.close()
            raise StoreUnavailable(
                "the control store failed", details={"reason": type(exc).__name__}
            ) from exc
        except BaseException:
            self._conn.close()
            raise

    def _connect(self) -> psycopg.Connection[Any]:
        try:
            return psycopg.connect(self._url, autocommit=True, connect_timeout=self._timeout)
        except psycopg.Error as exc:
            raise StoreUnavailable(
                "cannot connect to the control store", details={"reason": type(exc).__name__}
            ) from exc

    def _run(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        with self._lock:
            if self._conn.closed or self._conn.broken:
                self._conn = self._connect()
            try:
                cur = self._conn.execute(sql, params)
                return cur.fetchall() if cur.description else []
            except psycopg.errors.UniqueViolation:
                raise
            except psycopg.Error as exc:
                raise StoreUnavailable(
                    "the control store is unavailable", details={"reason": type(exc).__name__}
                ) from exc

    def insert(self, info: TokenInfo, digest: bytes) -> None:
        """Add a token; ``TokenNameTaken`` when the name is in use."""
        try:
            self._run(
                f"INSERT INTO api_tokens ({_COLUMNS}, digest) VALUES (%s, %s, %s, %s, %s, %s)",
                (info.token_id, info.name, info.role, info.created_at, None, digest),
            )
        except psycopg.errors.UniqueViolation as exc:
            raise TokenNameTaken(
                "a token with that name exists", details={"name": info.name}
            ) from exc

    def by_digest(self, digest: bytes) -> TokenInfo | None:
        """The token whose secret hashes to ``digest``."""
        rows = self._run(f"SELECT {_COLUMNS} FROM api_tokens WHERE digest = %s", (digest,))
        return _info(rows[0]) if rows else None

    def lookup(self, name_or_id: str) -> TokenInfo | None:
        """A token by name or id."""
        rows = self._run(
            f"SELECT {_COLUMNS} FROM api_tokens WHERE token_id = %s OR name = %s "
            "ORDER BY token_id = %s DESC LIMIT 1",
            (name_or_id, name_or_id, name_or_id),
        )
        return _info(rows[0]) if rows else None

    def revoke(self, token_id: str, at: datetime) -> None:
        """Mark revoked (keeps an earlier revocation)."""
        self._run(
            "UPDATE api_tokens SET revoked_at = %s WHERE token_id = %s AND revoked_at IS NULL",
            (at, token_id),
        )

    def page(self, after: str | None, limit: int) -> list[TokenInfo]:
        """Tokens ordered by name after ``after``."""
        rows = self._run(
            f'SELECT {_COLUMNS} FROM api_tokens WHERE name COLLATE "C" > %s '
            'ORDER BY name COLLATE "C" LIMIT %s',
            (after or "", limit),
        )
        return [_info(r) for r in rows]

    def generation(self) -> object | None:
        """None: PostgreSQL cannot tell cheaply, so verified tokens are not cached."""
        return None

    def close(self) -> None:
        """Close the connection."""
        with self._lock:
            self._conn.close()
