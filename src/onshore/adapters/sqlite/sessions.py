"""Browser sessions in a SQLite control database (digests only; the secret is never stored).

The SQL is ``onshore.adapters.sql.sessions``; this module opens the file (the same file as
the token store: ``deployment.control_store``) and brings its schema up to date.

Example:
    >>> import tempfile, pathlib
    >>> from datetime import datetime, timezone
    >>> from onshore.ports.sessions import SessionRecord
    >>> store = SqliteSessionStore(pathlib.Path(tempfile.mkdtemp()) / "control.db")
    >>> at = datetime(2026, 1, 1, tzinfo=timezone.utc)
    >>> store.insert(SessionRecord("ses_1", "usr_1", "password", at, at), b"d")
    >>> store.by_digest(b"d").user_id
    'usr_1'
    >>> store.close()
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from onshore.adapters.migrations.runner import ensure_current
from onshore.adapters.migrations.targets import SqliteTarget
from onshore.adapters.sql.dialect import SQLITE
from onshore.adapters.sql.sessions import SqlSessionStore
from onshore.core.errors import StoreUnavailable


class SqliteSessionStore(SqlSessionStore):
    """Sessions in one SQLite file (created 0600; WAL journal)."""

    _duplicate = sqlite3.IntegrityError
    _driver_error = sqlite3.Error

    def __init__(self, path: Path) -> None:
        super().__init__(SQLITE)
        self.path = path
        self._closed = False
        self._conn = self._open(path)
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
        """The connection, opened again after ``close`` (as the PostgreSQL store
        reconnects): an app whose lifespan runs more than once keeps working."""
        if self._closed:
            self._conn = self._open(self.path)
            self._closed = False
        return self._conn  # type: ignore[no-any-return]

    def close(self) -> None:
        """Close the connection (a later call opens it again)."""
        with self._lock:
            if not self._closed:
                self._conn.close()
                self._closed = True
