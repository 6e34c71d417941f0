"""A control database in one SQLite file: the connection every control store shares the
handling of (created 0600, WAL journal, schema brought up to date or refused, opened again
after ``close``).
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from onshore.adapters.migrations.runner import ensure_current
from onshore.adapters.migrations.targets import SqliteTarget
from onshore.adapters.sql.control import SqlControlStore
from onshore.adapters.sql.dialect import SQLITE
from onshore.core.errors import StoreUnavailable


class SqliteControlStore(SqlControlStore):
    """A store over one SQLite control file (one connection of its own)."""

    _duplicate = sqlite3.IntegrityError
    _driver_error = sqlite3.Error

    def __init__(self, path: Path) -> None:
        super().__init__(SQLITE)
        self.path = path
        self._conn: sqlite3.Connection | None = self._open(path)
        os.chmod(path, 0o600)

    @staticmethod
    def _open(path: Path) -> sqlite3.Connection:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            if not path.exists():
                path.touch(mode=0o600)
            conn = sqlite3.connect(
                str(path), isolation_level=None, check_same_thread=False, timeout=10.0
            )
            conn.execute("PRAGMA journal_mode=WAL")
            try:
                ensure_current(SqliteTarget(conn), "control", "the control store")
            except BaseException:
                conn.close()
                raise
        except (sqlite3.Error, OSError) as exc:
            raise StoreUnavailable(
                f"cannot open the control store {path.name!r}: {type(exc).__name__}"
            ) from exc
        return conn

    def _connection(self) -> sqlite3.Connection:
        """The connection, opened again after ``close`` (as the PostgreSQL store reconnects):
        an app whose lifespan runs more than once over the same stores keeps working."""
        if self._conn is None:
            self._conn = self._open(self.path)
        return self._conn

    def close(self) -> None:
        """Close the connection (a later call opens it again)."""
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    def _unavailable(self, exc: Exception) -> StoreUnavailable:
        return StoreUnavailable(f"the control store is unavailable: {type(exc).__name__}")

    def generation(self) -> object | None:
        """``PRAGMA data_version`` (changes when another connection, in any process, commits)
        and this connection's own write count."""
        return (self._run("PRAGMA data_version")[0][0], self._writes)
