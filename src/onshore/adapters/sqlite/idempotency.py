"""Idempotency entries in a SQLite control database (the same file as the API tokens).

The SQL is ``onshore.adapters.sql.idempotency``; this module opens the file and its table is
control-store migration 2 (``adapters.migrations.control``).

Example:
    >>> import tempfile, pathlib
    >>> from datetime import datetime, timedelta, timezone
    >>> from onshore.ports.idempotency import IdempotencyEntry
    >>> store = SqliteIdempotencyStore(pathlib.Path(tempfile.mkdtemp()) / "control.db")
    >>> now = datetime.now(timezone.utc); later = now + timedelta(hours=1)
    >>> e = IdempotencyEntry("usr_1", "POST /v1/records", "k1", "ab", "c1", now, later, later)
    >>> store.reserve(e, now) is None
    True
    >>> store.close()
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from onshore.adapters.migrations.runner import ensure_current
from onshore.adapters.migrations.targets import SqliteTarget
from onshore.adapters.sql.dialect import SQLITE
from onshore.adapters.sql.idempotency import SqlIdempotencyStore
from onshore.core.errors import StoreUnavailable


class SqliteIdempotencyStore(SqlIdempotencyStore):
    """Idempotency entries in one SQLite file (its own connection; WAL journal)."""

    _driver_error = sqlite3.Error

    def __init__(self, path: Path) -> None:
        super().__init__(SQLITE)
        self.path = path
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            if not path.exists():
                path.touch(mode=0o600)
            self._conn = self._open()
            try:
                ensure_current(SqliteTarget(self._conn), "control", "the control store")
            except BaseException:
                self._conn.close()
                raise
        except (sqlite3.Error, OSError) as exc:
            raise StoreUnavailable(
                f"cannot open the control store {path.name!r}: {type(exc).__name__}"
            ) from exc

    def _open(self) -> sqlite3.Connection:
        conn = sqlite3.connect(
            str(self.path), isolation_level=None, check_same_thread=False, timeout=10.0
        )
        conn.execute("PRAGMA journal_mode=WAL")
        return conn

    def _connection(self) -> sqlite3.Connection:
        """The connection, opened again after ``close`` (an app's lifespan may end and start
        again over the same store)."""
        if self._conn is None:
            try:
                self._conn = self._open()
            except sqlite3.Error as exc:
                raise self._unavailable(exc) from exc
        return self._conn  # type: ignore[no-any-return]

    def close(self) -> None:
        """Close the connection (a later call opens it again)."""
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None
