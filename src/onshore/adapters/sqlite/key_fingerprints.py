"""SQLite key fingerprints (``onshore.ports.KeyFingerprintStore``).

Schema additions of the key-custody change (additive DDL; the one place for SQLite)::

    CREATE TABLE IF NOT EXISTS key_fingerprints (
        key_id TEXT PRIMARY KEY, fingerprint BLOB NOT NULL, recorded_at TEXT NOT NULL)
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from onshore.core.errors import StoreUnavailable


class SqliteKeyFingerprintStore:
    """Fingerprints in the region's SQLite file.

    Example:
        >>> import tempfile, pathlib
        >>> from datetime import datetime, timezone
        >>> from onshore.adapters.sqlite.database import SqliteDatabase
        >>> db = SqliteDatabase("sqlite:///r.db", pathlib.Path(tempfile.mkdtemp()) / "r.db")
        >>> db.key_fingerprints.add([("kek:1", b"f")], datetime.now(timezone.utc))
        >>> db.key_fingerprints.all()
        {'kek:1': b'f'}
        >>> db.close()
    """

    SCHEMA = """
    CREATE TABLE IF NOT EXISTS key_fingerprints (
        key_id TEXT PRIMARY KEY,
        fingerprint BLOB NOT NULL,
        recorded_at TEXT NOT NULL
    )
    """

    def __init__(self, db: Any) -> None:
        self._db = db

    def all(self) -> dict[str, bytes]:
        """Every recorded ``key_id -> fingerprint``."""
        with self._db.reading():
            try:
                rows = self._db.conn.execute(
                    "SELECT key_id, fingerprint FROM key_fingerprints"
                ).fetchall()
            except sqlite3.Error as exc:
                raise StoreUnavailable(f"SQLite store {self._db.url!r} failed: {exc}") from exc
        return {k: bytes(f) for k, f in rows}

    def add(self, items: Sequence[tuple[str, bytes]], at: datetime) -> None:
        """Record pairs; an id already recorded keeps its fingerprint."""
        stamp = at.isoformat()
        with self._db.transaction():
            try:
                self._db.conn.executemany(
                    "INSERT OR IGNORE INTO key_fingerprints (key_id, fingerprint, recorded_at) "
                    "VALUES (?, ?, ?)",
                    [(k, f, stamp) for k, f in items],
                )
            except sqlite3.Error as exc:
                raise StoreUnavailable(f"SQLite store {self._db.url!r} failed: {exc}") from exc

    def replace(self, items: Sequence[tuple[str, bytes]], at: datetime) -> None:
        """Forget every fingerprint and record ``items``."""
        with self._db.transaction():
            try:
                self._db.conn.execute("DELETE FROM key_fingerprints")
            except sqlite3.Error as exc:
                raise StoreUnavailable(f"SQLite store {self._db.url!r} failed: {exc}") from exc
            self.add(items, at)
