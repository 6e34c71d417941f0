"""Import progress in a SQLite control database (SQL in ``adapters.sql.import_progress``).

Example:
    >>> import tempfile, pathlib
    >>> from datetime import datetime, timezone
    >>> from onshore.ports.import_progress import ImportProgress
    >>> log = SqliteImportProgressLog(pathlib.Path(tempfile.mkdtemp()) / "control.db")
    >>> at = datetime(2026, 12, 8, tzinfo=timezone.utc)
    >>> log.save(ImportProgress("users", "users.csv", "f" * 32, at, at, next_row=5))
    >>> log.get("users").next_row
    5
    >>> log.close()
"""

from __future__ import annotations

from onshore.adapters.sql.import_progress import SqlImportProgressLog
from onshore.adapters.sqlite.control import SqliteControlStore


class SqliteImportProgressLog(SqliteControlStore, SqlImportProgressLog):
    """Import progress in one SQLite file (created 0600; WAL journal)."""
