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

from onshore.adapters.sql.notices import SqlNoticeLog
from onshore.adapters.sqlite.control import SqliteControlStore


class SqliteNoticeLog(SqliteControlStore, SqlNoticeLog):
    """Notices in one SQLite file (created 0600; WAL journal)."""
