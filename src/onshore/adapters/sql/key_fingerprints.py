"""The key fingerprint store in SQL (``onshore.ports.KeyFingerprintStore``).

One implementation for SQLite and PostgreSQL; each backend's module holds its DDL. Any
failure of the database is ``StoreUnavailable``: key custody cannot tell the keys a region
was written with, so it must not go on as if it knew.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from onshore.adapters.sql.dialect import Dialect


class SqlKeyFingerprintStore:
    """Fingerprints in a region's SQL database (``db``: its handle; ``dialect``: its backend's)."""

    def __init__(self, db: Any, dialect: Dialect) -> None:
        self._db = db
        self._d = dialect

    def all(self) -> dict[str, bytes]:
        """Every recorded ``key_id -> fingerprint``."""
        with self._db.reading(), self._d.translated(self._db.url, unavailable=True):
            sql = "SELECT key_id, fingerprint FROM key_fingerprints"
            rows = self._d.execute(self._db.conn, sql).fetchall()
        return {k: bytes(f) for k, f in rows}

    def add(self, items: Sequence[tuple[str, bytes]], at: datetime) -> None:
        """Record pairs; an id already recorded keeps its fingerprint."""
        recorded_at = self._d.time(at)
        with self._db.transaction(), self._d.translated(self._db.url, unavailable=True):
            self._d.executemany(
                self._db.conn,
                "INSERT INTO key_fingerprints (key_id, fingerprint, recorded_at) "
                "VALUES (?, ?, ?) ON CONFLICT (key_id) DO NOTHING",
                [(k, f, recorded_at) for k, f in items],
            )

    def replace(self, items: Sequence[tuple[str, bytes]], at: datetime) -> None:
        """Forget every fingerprint and record ``items``."""
        with self._db.transaction(), self._d.translated(self._db.url, unavailable=True):
            self._d.execute(self._db.conn, "DELETE FROM key_fingerprints")
            self.add(items, at)
