"""API tokens in a SQLite control database (digests only; the secret is never stored).

The SQL is ``onshore.adapters.sql.tokens``; this module opens the file and holds its schema.

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
from pathlib import Path

from onshore.adapters.migrations.runner import ensure_current
from onshore.adapters.migrations.targets import SqliteTarget
from onshore.adapters.sql.dialect import SQLITE
from onshore.adapters.sql.tokens import SqlTokenStore
from onshore.core.errors import StoreUnavailable

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


class SqliteTokenStore(SqlTokenStore):
    """Token digests in one SQLite file (created 0600; WAL journal)."""

    _duplicate = sqlite3.IntegrityError
    _driver_error = sqlite3.Error

    def __init__(self, path: Path) -> None:
        super().__init__(SQLITE)
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

    def _unavailable(self, exc: Exception) -> StoreUnavailable:
        return StoreUnavailable(f"the control store is unavailable: {type(exc).__name__}")

    def generation(self) -> object | None:
        """``PRAGMA data_version`` (changes when another connection, in any process, commits)
        and this connection's own write count."""
        return (self._run("PRAGMA data_version")[0][0], self._writes)
