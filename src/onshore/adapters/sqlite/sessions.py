"""Browser sessions in a SQLite control database (digests only; the secret is never stored).

The SQL is ``onshore.adapters.sql.sessions``; this module opens the file (the same file as
the token store: ``deployment.control_store``) and brings its schema up to date.

Example:
    >>> import tempfile, pathlib
    >>> from datetime import datetime, timezone
    >>> from onshore.ports.sessions import SessionRecord
    >>> store = SqliteSessionStore(pathlib.Path(tempfile.mkdtemp()) / "control.db")
    >>> at = datetime(2026, 1, 1, tzinfo=timezone.utc)
    >>> store.insert(SessionRecord("ses_1", "usr_1", "password", at, at), b"d")
    >>> store.by_digest(b"d").user_id
    'usr_1'
    >>> store.close()
"""

from __future__ import annotations

from onshore.adapters.sql.sessions import SqlSessionStore
from onshore.adapters.sqlite.control import SqliteControlStore


class SqliteSessionStore(SqliteControlStore, SqlSessionStore):
    """Sessions in one SQLite file (created 0600; WAL journal)."""
