"""The notice log in a SQLite control database (which deadline notices were sent).

The SQL is ``onshore.adapters.sql.notices``; this module opens the file (its
schema is a control-store migration in ``adapters.migrations.control``).

Example:
    >>> import tempfile, pathlib
    >>> from datetime import datetime, timezone
    >>> from onshore.ports.notices import NoticeKey
    >>> log = SqliteNoticeLog(pathlib.Path(tempfile.mkdtemp()) / "control.db")
    >>> key, at = NoticeKey("tkd-1", "d", "breached", "email"), datetime.now(timezone.utc)
    >>> log.claim(key, "w1", at, at) is not None, log.claim(key, "w2", at, at)
    (True, None)
    >>> log.close()
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from onshore.adapters.migrations.runner import ensure_current
from onshore.adapters.migrations.targets import SqliteTarget
from onshore.adapters.sql.dialect import SQLITE
from onshore.adapters.sql.notices import SqlNoticeLog
from onshore.core.errors import StoreUnavailable


class SqliteNoticeLog(SqlNoticeLog):
    """Notices in one SQLite file (created 0600; WAL journal)."""

    _driver_error = sqlite3.Error

    def __init__(self, path: Path) -> None:
        super().__init__(SQLITE)
        self.path = path
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
        os.chmod(path, 0o600)

    def _unavailable(self, exc: Exception) -> StoreUnavailable:
        return StoreUnavailable(f"the control store is unavailable: {type(exc).__name__}")
