"""A control database in one SQLite file: the connection the token and user stores share
the handling of (created 0600, WAL journal, schema brought up to date or refused).
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from onshore.adapters.migrations.runner import ensure_current
from onshore.adapters.migrations.targets import SqliteTarget
from onshore.adapters.sql.control import SqlControlStore
from onshore.adapters.sql.dialect import SQLITE
from onshore.core.errors import StoreUnavailable


class SqliteControlStore(SqlControlStore):
    """A store over one SQLite control file (one connection of its own)."""

    _duplicate = sqlite3.IntegrityError
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

    def generation(self) -> object | None:
        """``PRAGMA data_version`` (changes when another connection, in any process, commits)
        and this connection's own write count."""
        return (self._run("PRAGMA data_version")[0][0], self._writes)
