"""API tokens in a SQLite control database (digests only; the secret is never stored).

The SQL is ``onshore.adapters.sql.tokens``; this module opens the file and holds its schema.

Example:
    >>> import tempfile, pathlib
    >>> from datetime import datetime, timezone
    >>> from onshore.ports import TokenInfo
    >>> store = SqliteTokenStore(pathlib.Path(tempfile.mkdtemp()) / "control.db")
    >>> now = datetime.now(timezone.utc)
    >>> info = TokenInfo("tok_1", "ci", "svc_1", frozenset({"operator"}), now)
    >>> store.insert(info, b"d")
    >>> store.lookup("ci").token_id
    'tok_1'
    >>> store.close()
"""

from __future__ import annotations

from onshore.adapters.sql.tokens import SqlTokenStore
from onshore.adapters.sqlite.control import SqliteControlStore

SCHEMA = """
CREATE TABLE IF NOT EXISTS api_tokens (
    token_id   TEXT PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE,
    role       TEXT NOT NULL,
    digest     BLOB NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    revoked_at TEXT
)
"""


class SqliteTokenStore(SqliteControlStore, SqlTokenStore):
    """Token digests in one SQLite file (created 0600; WAL journal)."""
