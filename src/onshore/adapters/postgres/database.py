"""The PostgreSQL region database: one psycopg 3 connection, nested transactions as savepoints."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg

from onshore.core.errors import StoreUnavailable


class PostgresDatabase:
    """A region database in one PostgreSQL database (tables created on open).

    The connection runs in autocommit mode; ``transaction()`` opens a real transaction and
    nested calls become savepoints (psycopg's own nesting). Writes are serialised by a lock.
    """

    def __init__(self, url: str, *, connect_timeout: int = 5) -> None:
        from onshore.adapters.postgres.audience import PostgresAudienceStore
        from onshore.adapters.postgres.batches import PostgresBatchStore
        from onshore.adapters.postgres.cases import PostgresCaseStore
        from onshore.adapters.postgres.key_fingerprints import PostgresKeyFingerprintStore
        from onshore.adapters.postgres.ledger import PostgresLedgerStore
        from onshore.adapters.postgres.records import PostgresRecordStore

        self.url = url
        self._connect_timeout = connect_timeout
        self._lock = threading.RLock()
        self.conn = self._connect()
        self.records = PostgresRecordStore(self)
        self.ledger = PostgresLedgerStore(self)
        self.cases = PostgresCaseStore(self)
        self.audience = PostgresAudienceStore(self)
        self.key_fingerprints = PostgresKeyFingerprintStore(self)
        self.batches = PostgresBatchStore(self)
        self._check_schema()

    def _check_schema(self) -> None:
        """Create a new database at the latest schema version; refuse an older or newer one."""
        from onshore.adapters.migrations.runner import ensure_current
        from onshore.adapters.migrations.targets import PostgresTarget

        try:
            with self._lock:
                ensure_current(PostgresTarget(self.conn), "region", "the PostgreSQL store")
        except psycopg.Error as exc:
            self.conn.close()
            raise StoreUnavailable(
                "the PostgreSQL store failed", details={"reason": type(exc).__name__}
            ) from exc
        except BaseException:
            self.conn.close()
            raise

    def _connect(self) -> psycopg.Connection[Any]:
        try:
            return psycopg.connect(self.url, autocommit=True, connect_timeout=self._connect_timeout)
        except psycopg.Error as exc:
            raise StoreUnavailable(
                "cannot connect to the PostgreSQL store", details={"reason": type(exc).__name__}
            ) from exc

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Open a transaction, or a savepoint inside the one already open."""
        with self._lock:
            if self.conn.closed or self.conn.broken:
                self.conn = self._connect()
            try:
                tx = self.conn.transaction()
                tx.__enter__()
            except psycopg.OperationalError as exc:
                raise StoreUnavailable("the PostgreSQL store is unavailable") from exc
            try:
                yield
            except BaseException as exc:
                try:
                    tx.__exit__(type(exc), exc, exc.__traceback__)
                except psycopg.OperationalError as exit_exc:
                    raise StoreUnavailable("the PostgreSQL store is unavailable") from exit_exc
                raise
            else:
                try:
                    tx.__exit__(None, None, None)
                except psycopg.OperationalError as exc:
                    raise StoreUnavailable("the PostgreSQL store is unavailable") from exc

    @contextmanager
    def reading(self) -> Iterator[None]:
        """Hold the connection for a read."""
        with self._lock:
            if self.conn.closed or self.conn.broken:
                self.conn = self._connect()
            yield

    def execute(self, sql: str, params: Any = None) -> psycopg.Cursor[Any]:
        """Run one statement on the shared connection."""
        try:
            return self.conn.execute(sql, params)
        except psycopg.OperationalError as exc:
            raise StoreUnavailable("the PostgreSQL store failed") from exc

    def ping(self) -> None:
        """Raise ``StoreUnavailable`` when the server cannot be reached."""
        with self.reading():
            self.execute("SELECT 1").fetchone()

    def close(self) -> None:
        """Close the connection."""
        self.conn.close()
