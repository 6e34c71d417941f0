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

from onshore.adapters.sql.idempotency import SqlIdempotencyStore
from onshore.adapters.sqlite.control import SqliteControlStore


class SqliteIdempotencyStore(SqliteControlStore, SqlIdempotencyStore):
    """Idempotency entries in one SQLite file (its own connection; WAL journal)."""
