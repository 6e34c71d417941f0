"""API tokens in a SQLite control database (digests only; the secret is never stored).

Example:
    >>> import tempfile, pathlib
    >>> from datetime import datetime, timezone
    >>> from onshore.ports import TokenInfo
    >>> store = SqliteTokenStore(pathlib.Path(tempfile.mkdtemp()) / "control.db")
    >>> store.insert(TokenInfo("tok_1", "ci", "operator", datetime.now(timezone.utc)), b"d")
    >>> store.lookup("ci").token_id
    'tok_1'
    >>> store.close()
"""

from __future__ import annotations

import os
import sqlite3
import threading
from datetime import datetime
from pathlib import Path
from typing import Any

from onshore.adapters.migrations.runner import ensure_current
from onshore.adapters.migrations.targets import SqliteTarget
from onshore.core.errors import StoreUnavailable, TokenNameTaken
from onshore.ports import TokenInfo

SCHEMA = """
CREATE TABLE IF NOT EXISTS api_tokens (
    token_id   TEXT PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE,
    role       TEXT NOT NULL,
    digest     BLOB NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    revoked_at TEXT
)
"""

_COLUMNS = "token_id, name, role, created_at, revoked_at"


def _info(row: tuple[Any, ...]) -> TokenInfo:
    return TokenInfo(
        token_id=row[0],
        name=row[1],
        role=row[2],
        created_at=datetime.fromisoformat(row[3]),
        revoked_at=datetime.fromisoformat(row[4]) if row[4] else None,
    )


class SqliteTokenStore:
    """Token digests in one SQLite file (created 0600; WAL journal)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            if not path.exists():
                path.touch(mode=0o600)
            self._conn = sqlite3.connect(
                str(path), isolation_level=None, check_same_thread=False, timeout=10.0
            )
            self._conn.execute("PRAGMA journal_mode=WAL")
            try:
                ensure_current(SqliteTarget(self._conn), "control", "the control store")
            except BaseException:
                self._conn.close()
                raise
        except (sqlite3.Error, OSError) as exc:
            raise StoreUnavailable(
                f"cannot open the control store {path.name!r}: {type(exc).__name__}"
            ) from exc
        os.chmod(path, 0o600)
        self._lock = threading.Lock()
        self._writes = 0

    def _run(
        self, sql: str, params: tuple[Any, ...] = (), *, write: bool = False
    ) -> list[tuple[Any, ...]]:
        with self._lock:
            try:
                rows = self._conn.execute(sql, params).fetchall()
                if write:  # counted once done: a generation read earlier no longer matches
                    self._writes += 1
                return rows
            except sqlite3.IntegrityError:
                raise
            except sqlite3.Error as exc:
                raise StoreUnavailable(
                    f"the control store is unavailable: {type(exc).__name__}"
                ) from exc

    def insert(self, info: TokenInfo, digest: bytes) -> None:
        """Add a token; ``TokenNameTaken`` when the name is in use."""
        try:
            self._run(
                f"INSERT INTO api_tokens ({_COLUMNS}, digest) VALUES (?, ?, ?, ?, ?, ?)",
                (info.token_id, info.name, info.role, info.created_at.isoformat(), None, digest),
                write=True,
            )
        except sqlite3.IntegrityError as exc:
            raise TokenNameTaken(
                "a token with that name exists", details={"name": info.name}
            ) from exc

    def by_digest(self, digest: bytes) -> TokenInfo | None:
        """The token whose secret hashes to ``digest``."""
        rows = self._run(f"SELECT {_COLUMNS} FROM api_tokens WHERE digest = ?", (digest,))
        return _info(rows[0]) if rows else None

    def lookup(self, name_or_id: str) -> TokenInfo | None:
        """A token by name or id."""
        rows = self._run(
            f"SELECT {_COLUMNS} FROM api_tokens WHERE token_id = ? OR name = ? "
            "ORDER BY token_id = ? DESC LIMIT 1",
            (name_or_id, name_or_id, name_or_id),
        )
        return _info(rows[0]) if rows else None

    def revoke(self, token_id: str, at: datetime) -> None:
        """Mark revoked (keeps an earlier revocation)."""
        self._run(
            "UPDATE api_tokens SET revoked_at = ? WHERE token_id = ? AND revoked_at IS NULL",
            (at.isoformat(), token_id),
            write=True,
        )

    def page(self, after: str | None, limit: int) -> list[TokenInfo]:
        """Tokens ordered by name after ``after``."""
        rows = self._run(
            f"SELECT {_COLUMNS} FROM api_tokens WHERE name > ? ORDER BY name LIMIT ?",
            (after or "", limit),
        )
        return [_info(r) for r in rows]

    def generation(self) -> object | None:
        """``PRAGMA data_version`` (changes when another connection, in any process, commits)
        and this connection's own write count."""
        return (self._run("PRAGMA data_version")[0][0], self._writes)

    def close(self) -> None:
        """Close the connection."""
        with self._lock:
            self._conn.close()
