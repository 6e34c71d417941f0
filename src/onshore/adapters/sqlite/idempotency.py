"""Idempotency entries in a SQLite control database (the same file as the API tokens).

The SQL is ``onshore.adapters.sql.idempotency``; this module opens the file and holds the
table's schema (control-store migration 2).

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

SCHEMA = """
CREATE TABLE IF NOT EXISTS idempotency_keys (
    principal    TEXT NOT NULL,
    operation    TEXT NOT NULL,
    idem_key     TEXT NOT NULL,
    fingerprint  TEXT NOT NULL,
    claim        TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    lease_until  TEXT NOT NULL,
    expires_at   TEXT NOT NULL,
    status       INTEGER,
    content_type TEXT,
    body         BLOB,
    PRIMARY KEY (principal, operation, idem_key)
);
CREATE INDEX IF NOT EXISTS idempotency_keys_expiry ON idempotency_keys (expires_at)
"""


class SqliteIdempotencyStore(SqlIdempotencyStore):
    """Idempotency entries in one SQLite file (its own connection; WAL journal)."""

    _driver_error = sqlite3.Error

    def __init__(self, path: Path) -> None:
        super().__init__(SQLITE)
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
