"""The databases migrations run on: one small class per backend over a DB-API connection.

A target answers ``version(kind)`` (``None`` for an empty database, ``0`` for one made before
versions were recorded), opens ``transaction()`` (exclusive: SQLite's ``BEGIN IMMEDIATE``,
PostgreSQL's transaction-scoped advisory lock, so two processes never migrate at once), runs
a step and records a version. ``open_target(url)`` opens one from a store URL.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from onshore.adapters.migrations import MARKERS, Migration, Step
from onshore.core.errors import ConfigError, StoreUnavailable

#: The table recording applied versions (shared by every store kind of one database).
VERSION_TABLE = (
    "CREATE TABLE IF NOT EXISTS schema_version ("
    "store TEXT NOT NULL, version INTEGER NOT NULL, description TEXT NOT NULL, "
    "applied_at TEXT NOT NULL, PRIMARY KEY (store, version))"
)
#: pg_advisory_xact_lock key of schema changes ("onshore-schema" folded to 63 bits).
PG_LOCK = 0x6F6E73686F7265


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class SchemaTarget(Protocol):
    """What the migration runner needs from a database."""

    backend: str

    def version(self, kind: str) -> int | None:
        """The recorded version of ``kind``; 0 when unrecorded but present; None when empty."""

    def transaction(self) -> Any:
        """A context manager holding an exclusive write transaction."""

    def run(self, step: Step) -> None:
        """Run one migration step inside the open transaction."""

    def record(self, kind: str, migration: Migration) -> None:
        """Record that ``migration`` was applied (inside the open transaction)."""

    def close(self) -> None:
        """Close the connection if the target owns it."""


class SqliteTarget:
    """A SQLite file's connection (opened with ``isolation_level=None``)."""

    backend = "sqlite"

    def __init__(self, conn: sqlite3.Connection, *, owned: bool = False) -> None:
        self.conn = conn
        self._owned = owned

    def _has(self, table: str) -> bool:
        row = self.conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)
        ).fetchone()
        return row is not None

    def version(self, kind: str) -> int | None:
        """See ``SchemaTarget.version``."""
        if self._has("schema_version"):
            row = self.conn.execute(
                "SELECT MAX(version) FROM schema_version WHERE store = ?", (kind,)
            ).fetchone()
            if row[0] is not None:
                return int(row[0])
        return 0 if self._has(MARKERS[kind]) else None

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """``BEGIN IMMEDIATE`` ... ``COMMIT``, rolled back on any exception."""
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

    def run(self, step: Step) -> None:
        """Run an SQL script statement by statement, or call the step with the connection."""
        if callable(step):
            step(self.conn)
            return
        for statement in step.split(";"):
            if statement.strip():
                self.conn.execute(statement)

    def record(self, kind: str, migration: Migration) -> None:
        """Insert the ``schema_version`` row (creating the table on first use)."""
        self.conn.execute(VERSION_TABLE)
        self.conn.execute(
            "INSERT INTO schema_version (store, version, description, applied_at) "
            "VALUES (?, ?, ?, ?)",
            (kind, migration.version, migration.description, _now()),
        )

    def close(self) -> None:
        """Close the connection when this target opened it."""
        if self._owned:
            self.conn.close()


class PostgresTarget:
    """A PostgreSQL connection in autocommit mode (transactions are explicit)."""

    backend = "postgresql"

    def __init__(self, conn: Any, *, owned: bool = False) -> None:
        self.conn = conn
        self._owned = owned

    def _has(self, table: str) -> bool:
        row = self.conn.execute("SELECT to_regclass(%s)", (table,)).fetchone()
        return row[0] is not None

    def version(self, kind: str) -> int | None:
        """See ``SchemaTarget.version``."""
        if self._has("schema_version"):
            row = self.conn.execute(
                "SELECT MAX(version) FROM schema_version WHERE store = %s", (kind,)
            ).fetchone()
            if row[0] is not None:
                return int(row[0])
        return 0 if self._has(MARKERS[kind]) else None

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """A transaction holding the schema advisory lock until it ends."""
        with self.conn.transaction():
            self.conn.execute("SELECT pg_advisory_xact_lock(%s)", (PG_LOCK,))
            yield

    def run(self, step: Step) -> None:
        """Run an SQL script (one multi-statement execute), or call the step."""
        if callable(step):
            step(self.conn)
        else:
            self.conn.execute(step)

    def record(self, kind: str, migration: Migration) -> None:
        """Insert the ``schema_version`` row (creating the table on first use)."""
        self.conn.execute(VERSION_TABLE)
        self.conn.execute(
            "INSERT INTO schema_version (store, version, description, applied_at) "
            "VALUES (%s, %s, %s, %s)",
            (kind, migration.version, migration.description, _now()),
        )

    def close(self) -> None:
        """Close the connection when this target opened it."""
        if self._owned:
            self.conn.close()


def open_target(url: str, *, base: Path | None = None) -> SchemaTarget | None:
    """A target for the store at ``url``; ``None`` when there is nothing to migrate
    (``memory://``, or a SQLite file not created yet: it is made at the latest version)."""
    from onshore.adapters.store_url import sqlite_path

    scheme = url.split(":", 1)[0].lower()
    if scheme == "memory":
        return None
    if scheme == "sqlite":
        path = sqlite_path(url, base)
        if not path.is_file():
            return None
        try:
            conn = sqlite3.connect(str(path), isolation_level=None, timeout=10.0)
        except sqlite3.Error as exc:
            raise StoreUnavailable(f"cannot open SQLite store {url!r}: {exc}") from exc
        return SqliteTarget(conn, owned=True)
    if scheme in ("postgresql", "postgres"):
        import psycopg

        try:
            pg = psycopg.connect(url, autocommit=True, connect_timeout=5)
        except psycopg.Error as exc:
            raise StoreUnavailable(
                "cannot connect to the PostgreSQL store", details={"reason": type(exc).__name__}
            ) from exc
        return PostgresTarget(pg, owned=True)
    raise ConfigError(f"unknown store backend {scheme!r}", details={"url_scheme": scheme})
