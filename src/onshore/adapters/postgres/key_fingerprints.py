"""PostgreSQL key fingerprints (``onshore.ports.KeyFingerprintStore``).

Schema additions of the key-custody change (additive DDL; the one place for PostgreSQL)::

    CREATE TABLE IF NOT EXISTS key_fingerprints (
        key_id TEXT PRIMARY KEY, fingerprint BYTEA NOT NULL, recorded_at TIMESTAMPTZ NOT NULL)
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import psycopg

from onshore.core.errors import StoreUnavailable


class PostgresKeyFingerprintStore:
    """Fingerprints in the region's PostgreSQL database."""

    SCHEMA = """
    CREATE TABLE IF NOT EXISTS key_fingerprints (
        key_id TEXT PRIMARY KEY,
        fingerprint BYTEA NOT NULL,
        recorded_at TIMESTAMPTZ NOT NULL
    )
    """

    def __init__(self, db: Any) -> None:
        self._db = db

    def all(self) -> dict[str, bytes]:
        """Every recorded ``key_id -> fingerprint``."""
        with self._db.reading():
            rows = self._db.execute("SELECT key_id, fingerprint FROM key_fingerprints").fetchall()
        return {k: bytes(f) for k, f in rows}

    def add(self, items: Sequence[tuple[str, bytes]], at: datetime) -> None:
        """Record pairs; an id already recorded keeps its fingerprint."""
        if not items:
            return
        with self._db.transaction():
            try:
                with self._db.conn.cursor() as cur:
                    cur.executemany(
                        "INSERT INTO key_fingerprints (key_id, fingerprint, recorded_at) "
                        "VALUES (%s, %s, %s) ON CONFLICT (key_id) DO NOTHING",
                        [(k, f, at) for k, f in items],
                    )
            except psycopg.OperationalError as exc:
                raise StoreUnavailable("the PostgreSQL store is unavailable") from exc

    def replace(self, items: Sequence[tuple[str, bytes]], at: datetime) -> None:
        """Forget every fingerprint and record ``items``."""
        with self._db.transaction():
            self._db.execute("DELETE FROM key_fingerprints")
            self.add(items, at)
