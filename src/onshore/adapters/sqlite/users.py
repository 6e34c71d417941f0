"""Users and service accounts in a SQLite control database (beside the API tokens).

The SQL is ``onshore.adapters.sql.users``; the connection handling is
``onshore.adapters.sqlite.control``; the tables come from the control store's migration 2
(``onshore.adapters.migrations.control``).

Example:
    >>> import tempfile, pathlib
    >>> from datetime import datetime, timezone
    >>> from onshore.ports import User
    >>> store = SqliteUserStore(pathlib.Path(tempfile.mkdtemp()) / "control.db")
    >>> now = datetime.now(timezone.utc)
    >>> store.insert_user(User("usr_1", "lan", frozenset({"approver"}), now, now))
    >>> store.user_by_name("lan").user_id
    'usr_1'
    >>> store.close()
"""

from __future__ import annotations

from onshore.adapters.sql.users import SqlUserStore
from onshore.adapters.sqlite.control import SqliteControlStore


class SqliteUserStore(SqliteControlStore, SqlUserStore):
    """Users and service accounts in one SQLite file (its own connection)."""
