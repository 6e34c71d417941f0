"""The SQLite region database: one connection, nested transactions via savepoints."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from onshore.core.errors import StoreUnavailable


class SqliteDatabase:
    """A region database in one SQLite file (WAL journal; writes serialised by a lock).

    ``synchronous`` is ``"full"`` by default: every commit is fsynced before it returns, so
    a receipt handed out survives power loss. ``"normal"`` (the ``sqlite_synchronous``
    setting) skips that fsync in WAL mode and can lose the last commits on power loss.

    Example:
        >>> import tempfile, pathlib
        >>> d = pathlib.Path(tempfile.mkdtemp())
        >>> db = SqliteDatabase("sqlite:///x.db", d / "x.db")
        >>> with db.transaction():
        ...     _ = db.records.count()
        >>> db.close()
    """

    def __init__(self, url: str, path: Path, *, synchronous: str = "full") -> None:
        from onshore.adapters.sqlite.audience import SqliteAudienceStore
        from onshore.adapters.sqlite.batches import SqliteBatchStore
        from onshore.adapters.sqlite.cases import SqliteCaseStore
        from onshore.adapters.sqlite.key_fingerprints import SqliteKeyFingerprintStore
        from onshore.adapters.sqlite.ledger import SqliteLedgerStore
        from onshore.adapters.sqlite.records import SqliteRecordStore

        self.url = url
        self.path = path
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self.conn = sqlite3.connect(
                str(path), isolation_level=None, check_same_thread=False, timeout=10.0
            )
            self.conn.execute("PRAGMA journal_mode=WAL")
            mode = {"full": "FULL", "normal": "NORMAL"}[synchronous.lower()]
            self.conn.execute(f"PRAGMA synchronous={mode}")
            # Checkpoint the WAL less often: fewer fsyncs on the batched write path.
            self.conn.execute("PRAGMA wal_autocheckpoint=10000")
            self.conn.execute("PRAGMA foreign_keys=ON")
        except (sqlite3.Error, OSError) as exc:
            raise StoreUnavailable(
                f"cannot open SQLite store {url!r}: {exc}", details={"url": url}
            ) from exc
        self._lock = threading.RLock()
        self._depth = 0
        self.records = SqliteRecordStore(self)
        self.ledger = SqliteLedgerStore(self)
        self.cases = SqliteCaseStore(self)
        self.audience = SqliteAudienceStore(self)
        self.key_fingerprints = SqliteKeyFingerprintStore(self)
        self.batches = SqliteBatchStore(self)
        self._check_schema()

    def _check_schema(self) -> None:
        """Create a new file at the latest schema version; refuse an older or newer one."""
        from onshore.adapters.migrations.runner import ensure_current
        from onshore.adapters.migrations.targets import SqliteTarget

        try:
            ensure_current(SqliteTarget(self.conn), "region", f"SQLite store {self.url!r}")
        except sqlite3.Error as exc:
            self.conn.close()
            raise StoreUnavailable(f"SQLite store {self.url!r} failed: {exc}") from exc
        except BaseException:
            self.conn.close()
            raise

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Open a transaction, or a savepoint inside the one already open on this thread."""
        with self._lock:
            depth = self._depth
            try:
                self.conn.execute("BEGIN IMMEDIATE" if depth == 0 else f"SAVEPOINT sp{depth}")
            except sqlite3.Error as exc:
                raise StoreUnavailable(f"SQLite store {self.url!r} is unavailable: {exc}") from exc
            self._depth += 1
            try:
                yield
            except BaseException:
                if depth == 0:
                    self.conn.execute("ROLLBACK")
                else:
                    self.conn.execute(f"ROLLBACK TO sp{depth}")
                    self.conn.execute(f"RELEASE sp{depth}")
                raise
            else:
                self.conn.execute("COMMIT" if depth == 0 else f"RELEASE sp{depth}")
            finally:
                self._depth = depth

    @contextmanager
    def reading(self) -> Iterator[None]:
        """Hold the connection for a read (no transaction opened; sees committed data)."""
        with self._lock:
            yield

    def execute(self, sql: str, params: Any = ()) -> sqlite3.Cursor:
        """Run one statement on the shared connection (callers hold a transaction for writes)."""
        try:
            return self.conn.execute(sql, params)
        except sqlite3.OperationalError as exc:
            raise StoreUnavailable(f"SQLite store {self.url!r} failed: {exc}") from exc

    def ping(self) -> None:
        """Raise ``StoreUnavailable`` when the file cannot be read."""
        self.execute("SELECT 1").fetchone()

    def close(self) -> None:
        """Close the connection."""
        self.conn.close()
