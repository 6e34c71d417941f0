"""The deferred-erasure log in a SQLite control database (SQL in ``adapters.sql.retention``).

Example:
    >>> import tempfile, pathlib
    >>> from datetime import datetime, timezone
    >>> from onshore.ports.retention import DeferredErasure
    >>> log = SqliteDeferredErasureLog(pathlib.Path(tempfile.mkdtemp()) / "control.db")
    >>> at = datetime(2026, 3, 6, tzinfo=timezone.utc)
    >>> log.add(DeferredErasure("de-1", {"vn-hcm": ("ab",)}, at, at, ("R",), "r", "host:root"))
    >>> log.get("de-1").refs
    {'vn-hcm': ('ab',)}
    >>> log.close()
"""

from __future__ import annotations

from onshore.adapters.sql.retention import SqlDeferredErasureLog
from onshore.adapters.sqlite.control import SqliteControlStore


class SqliteDeferredErasureLog(SqliteControlStore, SqlDeferredErasureLog):
    """Deferred erasures in one SQLite file (created 0600; WAL journal)."""
