"""SQLite key fingerprints (``onshore.ports.KeyFingerprintStore``).

Schema additions of the key-custody change (additive DDL; the one place for SQLite)::

    CREATE TABLE IF NOT EXISTS key_fingerprints (
        key_id TEXT PRIMARY KEY, fingerprint BLOB NOT NULL, recorded_at TEXT NOT NULL)
"""

from __future__ import annotations

from typing import Any

from onshore.adapters.sql.dialect import SQLITE
from onshore.adapters.sql.key_fingerprints import SqlKeyFingerprintStore


class SqliteKeyFingerprintStore(SqlKeyFingerprintStore):
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
        super().__init__(db, SQLITE)
