"""Region backups of SQLite stores: an online snapshot, its contents, and putting one back.

``snapshot`` copies a live database with SQLite's online backup API (a consistent copy while
writers go on) into a single self-contained file (``journal_mode=DELETE``); ``contents``
reads what the manifest needs from such a file; ``install`` moves a restored file into place.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path

from onshore.adapters.migrations.targets import SqliteTarget
from onshore.core.backup_contents import Contents, ledger_contents, with_counts
from onshore.core.errors import BackupInvalid, BackupTargetNotEmpty, StoreUnavailable

_SIDE_FILES = ("-wal", "-shm", "-journal")


def _read_only(path: Path) -> sqlite3.Connection:
    """A read-only connection to ``path`` (a URI, so any file name is safe)."""
    return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=30.0)


def snapshot(source: Path, into: Path) -> None:
    """Copy the database at ``source`` into the new file ``into`` (online backup API)."""
    if not source.is_file():
        raise StoreUnavailable(f"no SQLite store at {source}", details={"path": str(source)})
    try:
        src = _read_only(source)
        dst = sqlite3.connect(str(into), isolation_level=None)
        try:
            src.backup(dst)
            dst.execute("PRAGMA journal_mode=DELETE")
        finally:
            dst.close()
            src.close()
    except sqlite3.Error as exc:
        raise StoreUnavailable(f"cannot snapshot the SQLite store {source}: {exc}") from exc


def _leaf_hashes(conn: sqlite3.Connection) -> Iterator[bytes]:
    rows = conn.execute("SELECT idx, leaf_hash FROM ledger_leaves ORDER BY idx")
    for expected, (idx, leaf_hash) in enumerate(rows):
        if idx != expected:
            raise BackupInvalid(f"ledger leaf {expected} is missing from the snapshot")
        yield bytes(leaf_hash)


def contents(path: Path) -> Contents:
    """What the snapshot file at ``path`` holds (``BackupInvalid`` when it is no database)."""
    try:
        conn = _read_only(path)
        try:
            version = SqliteTarget(conn).version("region") or 0
            records = int(conn.execute("SELECT COUNT(*) FROM records").fetchone()[0])
            categories: set[str] = set()
            for (text,) in conn.execute("SELECT DISTINCT categories FROM records"):
                categories.update(json.loads(text))
            row = conn.execute(
                "SELECT size, root, note, key_id FROM ledger_checkpoints ORDER BY seq DESC LIMIT 1"
            ).fetchone()
            checkpoint = (
                None if row is None else (int(row[0]), bytes(row[1]), bytes(row[2]), row[3])
            )
            found = ledger_contents(_leaf_hashes(conn), checkpoint)
        finally:
            conn.close()
    except (sqlite3.Error, ValueError) as exc:
        raise BackupInvalid(f"the backup does not hold a readable region database: {exc}") from exc
    return with_counts(found, version, records, categories)


def is_empty(path: Path) -> bool:
    """True when no database is at ``path`` or it holds no record and no ledger leaf."""
    if not path.exists():
        return True
    try:
        conn = _read_only(path)
        try:
            for table in ("records", "ledger_leaves", "cases"):
                if conn.execute(f"SELECT 1 FROM {table} LIMIT 1").fetchone():
                    return False
        finally:
            conn.close()
    except sqlite3.OperationalError:
        return True  # no such table: nothing stored
    return True


def require_empty(target: Path, *, replace: bool) -> None:
    """``BackupTargetNotEmpty`` when ``target`` holds data and ``replace`` was not given."""
    if not replace and not is_empty(target):
        raise BackupTargetNotEmpty(
            f"the region database {target.name!r} holds data; restoring would replace it "
            "(stop the server, then pass --replace)",
            details={"path": str(target)},
        )


def install(restored: Path, target: Path) -> None:
    """Replace the database at ``target`` with ``restored`` (same directory), durably.

    The old file's WAL and shared-memory files go first: a stale WAL would be replayed into
    the restored file. No process may have the region open (stop the server first).
    """
    for suffix in _SIDE_FILES:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(f"{target}{suffix}")
    with open(restored, "rb") as f:
        os.fsync(f.fileno())
    os.replace(restored, target)
    fd = os.open(target.parent, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
